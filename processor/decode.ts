/** Decode: a bus record → its BusEvent (ok), or a dead letter naming why it is not one. Pure. */
import type { ConsumedRecord } from '../common/bus/bus.ts';
import { busEventSchema, describeZodError, textFieldsProblem, type BusEvent } from '../common/events.ts';
import { deadLetter, ok, type DeadLetterOutcome, type OkOutcome } from '../common/outcome.ts';

export type Decoded = OkOutcome<BusEvent> | DeadLetterOutcome;

export function decodeRecord(record: ConsumedRecord): Decoded {
  let value: unknown;
  try {
    value = JSON.parse(record.value.toString('utf8'));
  } catch (error) {
    return deadLetter(`not JSON: ${(error as Error).message}`);
  }
  const parsed = busEventSchema.safeParse(value);
  if (!parsed.success) return deadLetter(`not a bus event: ${describeZodError(parsed.error)}`);
  const textProblem = textFieldsProblem(parsed.data);
  if (textProblem) return deadLetter(`not a bus event: ${textProblem}`);
  return ok(parsed.data as BusEvent);
}
