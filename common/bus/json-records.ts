/**
 * The JSON values of a consumed batch, in order. A record that is not JSON is skipped with a
 * warning: these topics (live deltas, alerts) are our own, and one bad record must not stop a reader.
 */
import type { Logger } from '../logger.ts';
import type { ConsumedBatch } from './bus.ts';

export function jsonRecords<T>(batch: ConsumedBatch, log: Logger, what: string): T[] {
  const values: T[] = [];
  for (const record of batch.records) {
    try {
      values.push(JSON.parse(record.value.toString('utf8')) as T);
    } catch {
      log.warn({ offset: record.offset, partition: batch.partition, topic: batch.topic }, `skipping an undecodable ${what}`);
    }
  }
  return values;
}
