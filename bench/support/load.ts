/**
 * Load for the benchmarks: events as sources post them, the same events as bus records, and
 * drivers that send them — over HTTP (keep-alive, bounded concurrency, or paced) and straight to
 * Kafka with a bare kafkajs producer. Bodies are built before the clock starts.
 */
import { createHash } from 'node:crypto';
import { Agent, request } from 'node:http';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import type { BusEvent, MessageKind } from '../../common/events.ts';

export interface IncomingMessage {
  type: 'message' | 'member_joined' | 'member_left';
  id: string;
  group: string;
  at: number;
  sender?: string;
  member?: string;
  kind?: MessageKind;
  forwarded?: boolean;
}

const KINDS: MessageKind[] = ['text', 'text', 'text', 'image', 'video', 'reaction', 'text', 'document'];

/**
 * `count` events over `groups` groups (ids `groupId(i)`), timed `at` (epoch ms): 90% messages,
 * 5% joins, 5% leaves. Ids carry `runId` so no run is deduplicated against another.
 */
export function makeIncoming(count: number, runId: string, groups: number, at: number, groupId: (n: number) => string = (n) => `wa:bench-g${n}`): IncomingMessage[] {
  const events: IncomingMessage[] = new Array(count);
  for (let i = 0; i < count; i++) {
    // A cheap spread so neighbouring events land on different groups (and partitions).
    const group = groupId((i * 7919) % groups);
    const id = `${runId}-${i}`;
    if (i % 20 === 3) events[i] = { type: 'member_joined', id, group, at, member: `9198${(i * 31) % 1_000_000}` };
    else if (i % 20 === 13) events[i] = { type: 'member_left', id, group, at, member: `9198${(i * 37) % 1_000_000}` };
    else events[i] = { type: 'message', id, group, at, sender: `9199${(i * 13) % 200_000}`, kind: KINDS[i % KINDS.length]!, forwarded: i % 9 === 0 };
  }
  return events;
}

/** Countable by the live board: messages + joins + leaves (every event makeIncoming makes). */
export const COUNTED_PER_EVENT = 1;

/** JSON-array bodies of `batchSize` events each. */
export function jsonBodies(events: IncomingMessage[], batchSize: number): { body: Buffer; count: number }[] {
  const bodies: { body: Buffer; count: number }[] = [];
  for (let start = 0; start < events.length; start += batchSize) {
    const batch = events.slice(start, start + batchSize);
    bodies.push({ body: Buffer.from(JSON.stringify(batch)), count: batch.length });
  }
  return bodies;
}

/** The bus event ingest would make of an incoming one (person pseudonymised with a fixed stand-in). */
export function toBusEvent(event: IncomingMessage, receivedAt: number): BusEvent {
  const raw = event.sender ?? event.member ?? '';
  return {
    v: 1,
    type: event.type,
    id: event.id,
    group: event.group,
    at: event.at,
    receivedAt,
    source: 'default',
    person: raw ? createHash('sha256').update(raw).digest('base64url').slice(0, 22) : '',
    kind: event.type === 'message' ? (event.kind ?? 'other') : '',
    forwarded: event.forwarded ?? false,
  };
}

export interface KeyedRecord {
  key: string;
  value: string;
}

export function busRecords(events: IncomingMessage[], receivedAt: number): KeyedRecord[] {
  return events.map((e) => ({ key: e.group, value: JSON.stringify(toBusEvent(e, receivedAt)) }));
}

export function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}

// ---------------------------------------------------------------- HTTP

export interface PostOutcome {
  status: number;
  body: string;
}

/** A keep-alive HTTP client for one base URL. */
export function createHttpClient(baseUrl: string, maxSockets: number) {
  const url = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets });
  /**
   * A keep-alive socket the server closed while idle can be handed out just as it closes: such a request
   * fails with ECONNRESET before the server read it, and is sent again once (ids make a repeat count once).
   */
  function post(pathname: string, body: Buffer, headers: Record<string, string>, retried = false): Promise<PostOutcome> {
    return new Promise((resolve, reject) => {
      const req = request(
        { agent, host: url.hostname, port: url.port, path: pathname, method: 'POST', headers: { ...headers, 'content-length': String(body.length) } },
        (res) => {
          const parts: Buffer[] = [];
          res.on('data', (part: Buffer) => parts.push(part));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (!retried && req.reusedSocket && error.code === 'ECONNRESET') post(pathname, body, headers, true).then(resolve, reject);
        else reject(error);
      });
      req.end(body);
    });
  }
  return { post, close: () => agent.destroy() };
}

export interface SendResult {
  ms: number;
  events: number;
  /** Status code → requests. */
  statuses: Record<number, number>;
}

/** POST every body with `concurrency` requests in flight; fails on any status but `expectStatus`. */
export async function postAll(
  baseUrl: string,
  pathname: string,
  bodies: { body: Buffer; count: number }[],
  options: { concurrency: number; headers: Record<string, string>; expectStatus?: number },
): Promise<SendResult> {
  const client = createHttpClient(baseUrl, options.concurrency);
  const statuses: Record<number, number> = {};
  let next = 0;
  let events = 0;
  const started = performance.now();
  async function worker(): Promise<void> {
    while (next < bodies.length) {
      const item = bodies[next++]!;
      const outcome = await client.post(pathname, item.body, options.headers);
      statuses[outcome.status] = (statuses[outcome.status] ?? 0) + 1;
      if (outcome.status !== (options.expectStatus ?? 202)) throw new Error(`POST ${pathname} answered ${outcome.status}: ${outcome.body.slice(0, 300)}`);
      events += item.count;
    }
  }
  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    client.close();
  }
  return { ms: performance.now() - started, events, statuses };
}

// ---------------------------------------------------------------- Kafka

export function bareKafka(brokers: string, clientId: string): Kafka {
  return new Kafka({ clientId, brokers: brokers.split(','), logLevel: logLevel.ERROR, retry: { retries: 5 } });
}

/** Create a topic (if missing) with `partitions` partitions. */
export async function createTopic(kafka: Kafka, topic: string, partitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }] });
  } finally {
    await admin.disconnect();
  }
}

/** Records on a topic now (sum of high - low watermarks). */
export async function topicSize(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Send batches with acks=-1 (as ingest does), `concurrency` sends in flight; returns the time in ms. */
export async function produceAll(kafka: Kafka, topic: string, batches: KeyedRecord[][], concurrency: number): Promise<number> {
  const producer: Producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  let next = 0;
  const started = performance.now();
  async function worker(): Promise<void> {
    while (next < batches.length) {
      const batch = batches[next++]!;
      await producer.send({ topic, acks: -1, messages: batch });
    }
  }
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
    return performance.now() - started;
  } finally {
    await producer.disconnect();
  }
}

/**
 * A bare consumer (fresh group) reading `expected` records from the beginning; ms from joining the group to the last record.
 * `onValue` sees every record's value (for checks of what the topic holds).
 */
export async function consumeAll(kafka: Kafka, topic: string, expected: number, timeoutMs: number, onValue?: (value: Buffer) => void): Promise<number> {
  const consumer = kafka.consumer({ groupId: `${topic}.bare-${Date.now()}`, maxBytesPerPartition: 2 * 1024 * 1024, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  let bytes = 0;
  let started = 0;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    started ||= performance.now();
  });
  const done = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bare consumer saw ${seen} of ${expected} records in ${timeoutMs} ms`)), timeoutMs);
    void consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 16,
      eachBatch: async ({ batch }) => {
        // Touch every value so the records are really read, as the processor must.
        for (const m of batch.messages) {
          bytes += m.value?.length ?? 0;
          if (onValue && m.value) onValue(m.value);
        }
        seen += batch.messages.length;
        if (seen >= expected) {
          clearTimeout(timer);
          resolve(performance.now());
        }
      },
    });
  });
  try {
    const end = await done;
    void bytes;
    return end - started;
  } finally {
    await consumer.disconnect();
  }
}

/**
 * What an events topic holds of `events`: how many distinct ones of them, records of events never sent, and
 * copies (a producer retry after a lost acknowledgement writes a record twice; the processor drops it by id).
 */
export async function heldOnTopic(kafka: Kafka, topic: string, events: { group: string; id: string }[]): Promise<{ records: number; held: number; unknown: number; copies: number }> {
  const records = await topicSize(kafka, topic);
  const accepted = new Set(events.map((e) => `${e.group}\u0000${e.id}`));
  const held = new Set<string>();
  let unknown = 0;
  await consumeAll(kafka, topic, records, 300_000, (value) => {
    const { group, id } = JSON.parse(value.toString()) as { group: string; id: string };
    const key = `${group}\u0000${id}`;
    if (accepted.has(key)) held.add(key);
    else unknown++;
  });
  return { records, held: held.size, unknown, copies: records - held.size - unknown };
}
