/**
 * Accepting a batch of posted items: validate each, put the good ones on the bus, and report
 * what was accepted and what was rejected (with reasons). Resolves only after the bus
 * acknowledged; throws BusUnavailableError when it cannot (the caller answers 503).
 * Used by POST /v1/events and by every webhook adapter.
 */
import type { Bus } from '../common/bus/bus.ts';
import type { BusEvent } from '../common/events.ts';
import type { Pseudonymise } from './pseudonymise.ts';
import { validateEvent, type TimeWindow } from './validate.ts';

export interface Rejection {
  index: number;
  error: string;
}

export interface AcceptResult {
  accepted: number;
  rejected: Rejection[];
}

export interface EventAcceptorDeps {
  bus: Bus;
  eventsTopic: string;
  pseudonymise: Pseudonymise;
  /** Accepted event times around the ingest clock; unset = any. */
  window?: TimeWindow;
  now?: () => number;
  onAccepted?(source: string, events: BusEvent[]): void;
  onRejected?(source: string, rejections: Rejection[]): void;
}

export type EventAcceptor = (source: string, items: { index: number; value: unknown }[], earlier?: Rejection[]) => Promise<AcceptResult>;

export function createEventAcceptor(deps: EventAcceptorDeps): EventAcceptor {
  const now = deps.now ?? Date.now;
  return async function acceptEvents(source, items, earlier = []) {
    const receivedAt = now();
    const good: BusEvent[] = [];
    const rejected: Rejection[] = [...earlier];
    for (const item of items) {
      const result = validateEvent(item.value, { source, receivedAt, pseudonymise: deps.pseudonymise, window: deps.window });
      if (result.kind === 'ok') good.push(result.value);
      else rejected.push({ index: item.index, error: result.reason });
    }
    rejected.sort((a, b) => a.index - b.index);
    if (good.length > 0) {
      await deps.bus.produce(
        deps.eventsTopic,
        good.map((event) => ({ key: event.group, value: JSON.stringify(event) })),
      );
      deps.onAccepted?.(source, good);
    }
    if (rejected.length > 0) deps.onRejected?.(source, rejected);
    return { accepted: good.length, rejected };
  };
}
