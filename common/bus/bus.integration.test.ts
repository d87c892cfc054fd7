/**
 * One contract, two buses: the same suite runs on the local log and on the real Kafka broker.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../logger.ts';
import { uniquePrefix, waitFor } from '../../test/support/pipeline.ts';
import type { Bus, ConsumedBatch } from './bus.ts';
import { BusUnavailableError } from './bus.ts';
import { createKafkaBus } from './kafka-bus.ts';
import { createLocalBus, type LocalBusOptions } from './local-bus.ts';

function localBus(overrides: Partial<LocalBusOptions> = {}): Bus {
  return createLocalBus({ dir: mkdtempSync(path.join(tmpdir(), 'grouppulse-bus-')), partitions: 3, maxPendingPerPartition: 10_000, sync: true, retryDelayMs: 50, ...overrides });
}

const buses: [string, () => Bus][] = [
  ['local', () => localBus()],
  ['kafka', () => createKafkaBus({ brokers: inject('kafkaBrokers').split(','), clientId: 'contract-test', partitions: 3, replicationFactor: 1, logger: createLogger('silent') })],
];

describe.each(buses)('%s bus contract', (_name, makeBus) => {
  const bus = makeBus();
  const prefix = uniquePrefix();
  afterAll(() => bus.close());

  it('delivers every record once, in order per key, and commits after the handler', async () => {
    const topic = `${prefix}order`;
    await bus.ensureTopics([topic]);
    const sent: { key: string; value: string }[] = [];
    for (let i = 0; i < 200; i++) sent.push({ key: `group-${i % 7}`, value: `${i % 7}:${i}` });
    await bus.produce(topic, sent);

    const received: string[] = [];
    const subscription = await bus.subscribe({
      groupId: `${prefix}order-readers`,
      topic,
      fromBeginning: true,
      async handleBatch(batch: ConsumedBatch) {
        for (const record of batch.records) received.push(record.value.toString());
      },
    });
    await waitFor(() => (received.length >= 200 ? true : undefined), 'all 200 records');
    for (let key = 0; key < 7; key++) {
      const forKey = received.filter((v) => v.startsWith(`${key}:`)).map((v) => Number(v.split(':')[1]));
      expect(forKey).toEqual([...forKey].sort((a, b) => a - b));
    }
    expect(new Set(received).size).toBe(200);
    await waitFor(async () => ((await bus.lag(`${prefix}order-readers`, topic)).every((p) => p.lag === 0) ? true : undefined), 'lag 0');
    await subscription.stop();
  });

  it('cuts batches to the subscription\'s maxBatchRecords and still delivers every record once, in order', async () => {
    const topic = `${prefix}batch-rows`;
    await bus.ensureTopics([topic]);
    await bus.produce(topic, Array.from({ length: 25 }, (_, i) => ({ key: 'one-key', value: String(i) })));
    const sizes: number[] = [];
    const received: number[] = [];
    const subscription = await bus.subscribe({
      groupId: `${prefix}batch-rows-readers`,
      topic,
      fromBeginning: true,
      maxBatchRecords: 4,
      async handleBatch(batch) {
        sizes.push(batch.records.length);
        for (const record of batch.records) received.push(Number(record.value.toString()));
      },
    });
    await waitFor(() => (received.length >= 25 ? true : undefined), 'all 25 records');
    expect(Math.max(...sizes)).toBeLessThanOrEqual(4);
    expect(received).toEqual(Array.from({ length: 25 }, (_, i) => i));
    await waitFor(async () => ((await bus.lag(`${prefix}batch-rows-readers`, topic)).every((p) => p.lag === 0) ? true : undefined), 'lag 0');
    await subscription.stop();
  });

  it('a new group not reading from the beginning gets everything produced after subscribe() and nothing before', async () => {
    const topic = `${prefix}from-now`;
    await bus.ensureTopics([topic]);
    await bus.produce(topic, [0, 1, 2].map((i) => ({ key: `k${i}`, value: `before-${i}` })));
    const received: string[] = [];
    const subscription = await bus.subscribe({
      groupId: `${prefix}from-now-readers`,
      topic,
      fromBeginning: false,
      async handleBatch(batch) {
        for (const record of batch.records) received.push(record.value.toString());
      },
    });
    // Produced at once, before the consumer has necessarily joined its group or fetched.
    await bus.produce(topic, [0, 1, 2, 3, 4, 5].map((i) => ({ key: `k${i}`, value: `after-${i}` })));
    await waitFor(() => (received.length >= 6 ? true : undefined), 'the 6 records produced after subscribing');
    expect(received.sort()).toEqual([0, 1, 2, 3, 4, 5].map((i) => `after-${i}`));
    await subscription.stop();
  });

  it('redelivers a batch whose handler failed, and resumes from the committed offset after a restart', async () => {
    const topic = `${prefix}retry`;
    const groupId = `${prefix}retry-readers`;
    await bus.ensureTopics([topic]);
    await bus.produce(topic, [{ key: 'k', value: 'first' }]);
    let failures = 0;
    const seen: string[] = [];
    const subscription = await bus.subscribe({
      groupId,
      topic,
      fromBeginning: true,
      async handleBatch(batch) {
        if (failures < 2) {
          failures += 1;
          throw new Error('store down');
        }
        for (const record of batch.records) seen.push(record.value.toString());
      },
    });
    await waitFor(() => (seen.includes('first') ? true : undefined), 'the redelivered record');
    expect(failures).toBe(2);
    await subscription.stop();

    await bus.produce(topic, [{ key: 'k', value: 'second' }]);
    const afterRestart: string[] = [];
    const again = await bus.subscribe({
      groupId,
      topic,
      fromBeginning: true,
      async handleBatch(batch) {
        for (const record of batch.records) afterRestart.push(record.value.toString());
      },
    });
    await waitFor(() => (afterRestart.includes('second') ? true : undefined), 'the record produced while stopped');
    expect(afterRestart).toEqual(['second']);
    await again.stop();
  });

  it('carries headers', async () => {
    const topic = `${prefix}headers`;
    await bus.ensureTopics([topic]);
    await bus.produce(topic, [{ key: 'k', value: 'v', headers: { reason: 'not JSON' } }]);
    let headers: Record<string, string> | undefined;
    const subscription = await bus.subscribe({
      groupId: `${prefix}headers-readers`,
      topic,
      fromBeginning: true,
      async handleBatch(batch) {
        headers = batch.records[0]!.headers;
      },
    });
    await waitFor(() => headers, 'the record');
    expect(headers).toEqual({ reason: 'not JSON' });
    await subscription.stop();
  });
});

describe('bus bounds', () => {
  it('the local log refuses records past its bound instead of growing', async () => {
    const bus = localBus({ partitions: 1, maxPendingPerPartition: 10 });
    await bus.ensureTopics(['t']);
    await bus.produce('t', Array.from({ length: 10 }, (_, i) => ({ key: 'k', value: String(i) })));
    await expect(bus.produce('t', [{ key: 'k', value: 'overflow' }])).rejects.toBeInstanceOf(BusUnavailableError);
    await expect(bus.check()).rejects.toBeInstanceOf(BusUnavailableError);
    await bus.close();
  });

  it('Kafka unreachable answers BusUnavailableError quickly', async () => {
    const bus = createKafkaBus({ brokers: ['127.0.0.1:1'], clientId: 'down', partitions: 1, replicationFactor: 1, logger: createLogger('silent'), produceTimeoutMs: 2000 });
    const started = Date.now();
    await expect(bus.produce('t', [{ key: 'k', value: 'v' }])).rejects.toBeInstanceOf(BusUnavailableError);
    expect(Date.now() - started).toBeLessThan(10_000);
    await bus.close();
  });
});

describe('Kafka consumer through stalls and evictions', () => {
  const kafka = (sessionTimeoutMs: number) =>
    createKafkaBus({ brokers: inject('kafkaBrokers').split(','), clientId: 'stall-test', partitions: 1, replicationFactor: 1, logger: createLogger('silent'), sessionTimeoutMs });

  it('keeps its partitions through a handler slower than the session timeout (heartbeats go on), handling the batch once', async () => {
    const bus = kafka(6000);
    const topic = `${uniquePrefix()}slow`;
    await bus.ensureTopics([topic]);
    await bus.produce(topic, [{ key: 'k', value: 'slow' }]);
    const deliveries: string[] = [];
    const assignments: number[][] = [];
    const subscription = await bus.subscribe({
      groupId: `${topic}-readers`,
      topic,
      fromBeginning: true,
      onAssignment: (partitions) => assignments.push(partitions),
      async handleBatch(batch) {
        deliveries.push(...batch.records.map((r) => r.value.toString()));
        await new Promise((resolve) => setTimeout(resolve, 10_000)); // a ClickHouse write hanging for 10 s
      },
    });
    await waitFor(async () => ((await bus.lag(`${topic}-readers`, topic))[0]!.lag === 0 ? true : undefined), 'the slow batch committed', 40_000);
    expect(deliveries).toEqual(['slow']);
    expect(assignments).toEqual([[0]]);
    expect(subscription.health()).toEqual({ running: true });
    await subscription.stop();
    await bus.close();
  });

  it('comes back after Kafka evicted it (the process froze past the session timeout) and handles what came meanwhile', async () => {
    const bus = kafka(6000);
    const topic = `${uniquePrefix()}evicted`;
    await bus.ensureTopics([topic]);
    // Produced before subscribing: a freeze that began while this produce waited for its
    // acknowledgement would fire the produce's own timeout first when the process wakes.
    await bus.produce(topic, [{ key: 'k', value: 'before' }]);
    const seen = new Set<string>();
    let frozen = false;
    const subscription = await bus.subscribe({
      groupId: `${topic}-readers`,
      topic,
      fromBeginning: true,
      async handleBatch(batch) {
        for (const record of batch.records) seen.add(record.value.toString());
        if (!frozen) {
          frozen = true;
          // The whole process stops (as under SIGSTOP or a long GC pause): no heartbeat can go out.
          const until = Date.now() + 9000;
          while (Date.now() < until) {
            /* frozen */
          }
        }
      },
    });
    await waitFor(() => (frozen ? true : undefined), 'the freeze');
    await bus.produce(topic, [{ key: 'k', value: 'after' }]);
    await waitFor(() => (seen.has('after') ? true : undefined), 'a record produced after the eviction', 60_000);
    await waitFor(async () => ((await bus.lag(`${topic}-readers`, topic))[0]!.lag === 0 ? true : undefined), 'everything committed', 30_000);
    await waitFor(() => (subscription.health().running ? true : undefined), 'healthy again');
    await subscription.stop();
    await bus.close();
  });
});
