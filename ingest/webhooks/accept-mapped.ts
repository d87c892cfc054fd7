/**
 * Hands a mapped webhook payload to the shared acceptor and words the answer: rejections carry
 * the payload path they came from. Throws BusUnavailableError like the acceptor (caller: 503).
 */
import type { EventAcceptor } from '../accept-events.ts';
import type { MappedPayload } from './mapped.ts';

export interface WebhookOutcome {
  accepted: number;
  ignored: number;
  rejected: { at: string; error: string }[];
}

export async function acceptMapped(acceptEvents: EventAcceptor, source: string, mapped: MappedPayload): Promise<WebhookOutcome> {
  const items = mapped.events.map((e, index) => ({ index, value: e.event }));
  const result = items.length > 0 ? await acceptEvents(source, items) : { accepted: 0, rejected: [] };
  return {
    accepted: result.accepted,
    ignored: mapped.ignored,
    rejected: [
      ...mapped.problems.map((p) => ({ at: p.path, error: p.error })),
      ...result.rejected.map((r) => ({ at: mapped.events[r.index]?.path ?? `#${r.index}`, error: r.error })),
    ],
  };
}
