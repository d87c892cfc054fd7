/** The local log's partitioner: records with one key always go to one partition. */
import { createHash } from 'node:crypto';

export function partitionFor(key: string, partitions: number): number {
  return createHash('md5').update(key).digest().readUInt32BE(0) % partitions;
}
