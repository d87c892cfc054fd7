/** Step 1: a bus record → a BusEvent, or a dead-letter outcome naming why. Pure. */
import { busEventSchema, describeZodError, type BusEvent } from '../common/events.ts';
import type { ConsumedRecord } from '../common/bus/bus.ts';

export type Decoded = { ok: true; event: BusEvent } | { ok: false; reason: string };

export function decodeRecord(record: ConsumedRecord): Decoded {
  let value: unknown;
  try {
    value = JSON.parse(record.value.toString('utf8'));
  } catch (error) {
    return { ok: false, reason: `not JSON: ${(error as Error).message}` };
  }
  const parsed = busEventSchema.safeParse(value);
  if (!parsed.success) return { ok: false, reason: `not a bus event: ${describeZodError(parsed.error)}` };
  return { ok: true, event: parsed.data as BusEvent };
}
