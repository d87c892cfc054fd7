/**
 * One contract, two buses: the same suite runs on the in-process bus and on the real Kafka broker.
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../logger.ts';
import { uniquePrefix, waitFor } from '../../test/support/pipeline.ts';
import type { Bus, ConsumedBatch } from './bus.ts';
import { BusUnavailableError } from './bus.ts';
import { createKafkaBus } from './kafka-bus.ts';
import { createMemoryBus } from './memory-bus.ts';

const buses: [string, () => Bus][] = [
  ['memory', () => createMemoryBus({ partitions: 3, maxPendingPerTopic: 10_000, retryDelayMs: 50 })],
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
  it('the in-process bus refuses records past its bound instead of growing', async () => {
    const bus = createMemoryBus({ partitions: 1, maxPendingPerTopic: 10 });
    await bus.ensureTopics(['t']);
    await bus.produce('t', Array.from({ length: 10 }, (_, i) => ({ key: 'k', value: String(i) })));
    await expect(bus.produce('t', [{ key: 'k', value: 'overflow' }])).rejects.toBeInstanceOf(BusUnavailableError);
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
