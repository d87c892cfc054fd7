/**
 * Nothing stalls silently, on the real broker and the real engine: a store that hangs past Kafka's
 * session timeout, a store that is gone (the stall shows in /readyz, in pipeline_stalled_partitions
 * and as the pipeline-stalled alert, and clears after), a processor frozen until Kafka evicted it.
 * Each ends with exactly what ingest acknowledged.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { authHeaders } from './support/auth.ts';
import { spawnService, type ChildService } from './support/child-service.ts';
import { expectedOf, fetchSummary, makeEvents, totalEvents, type TestEvent } from './support/events.ts';
import { startTestPipeline, TEST_TOKEN, uniquePrefix, waitFor, type TestPipeline } from './support/pipeline.ts';
import { sendReliably } from './support/reliable-sender.ts';

async function expectExactly(url: string, events: TestEvent[]): Promise<void> {
  const expected = expectedOf(events);
  const body = await waitFor(async () => {
    const summary = await fetchSummary(url);
    return totalEvents(summary) >= events.length ? summary : undefined;
  }, `${events.length} events counted`, 90_000);
  expect(body.rows).toHaveLength(1);
  expect(body.rows[0]).toMatchObject({ messages: expected.messages, joins: expected.joins, leaves: expected.leaves, activeGroups: expected.groups.size, activeSenders: expected.senders.size });
}

async function readiness(url: string): Promise<{ status: number; checks: Record<string, string> }> {
  const response = await fetch(`${url}/readyz`);
  return { status: response.status, checks: ((await response.json()) as { checks: Record<string, string> }).checks };
}

async function pipelineAlert(url: string): Promise<{ state: string; details: Record<string, unknown> } | undefined> {
  const response = await fetch(`${url}/api/v1/alerts?rule=pipeline-stalled`, { headers: await authHeaders(url) });
  const { alerts } = (await response.json()) as { alerts: { state: string; details: Record<string, unknown> }[] };
  return alerts[0];
}

describe('the store hanging or gone, on Kafka', () => {
  let pipeline: TestPipeline | undefined;
  afterAll(() => pipeline?.stop());

  it('keeps the partitions through a store hang longer than the session timeout and counts everything once', async () => {
    pipeline = await startTestPipeline({ env: { KAFKA_SESSION_TIMEOUT_MS: '6000' } });
    const events = makeEvents(3000, 'hang', 30);
    let sent = 0;
    const sending = sendReliably(events, { url: () => pipeline!.url, token: TEST_TOKEN, batchSize: 50, pauseMs: 20, onProgress: (n) => (sent = n) });
    await waitFor(() => (sent >= 800 ? true : undefined), '800 events sent', 60_000);
    // The embedded engine runs one statement at a time: this holds every insert for 15 s (2.5 sessions).
    await pipeline.store!.client.query({ query: 'SELECT sleepEachRow(1) FROM numbers(15) SETTINGS max_block_size = 1, function_sleep_max_microseconds_per_block = 0', format: 'JSONEachRow' });
    expect((await sending).acknowledged).toBe(3000);
    await expectExactly(pipeline.url, events);
    expect((await readiness(pipeline.url)).status).toBe(200);
    await pipeline.stop();
    pipeline = undefined;
  }, 180_000);

  it('shows a store outage in /readyz, the metrics and the pipeline-stalled alert, then clears them and counts everything once', async () => {
    pipeline = await startTestPipeline({ env: { KAFKA_SESSION_TIMEOUT_MS: '6000', PIPELINE_STALL_SECONDS: '2', ALERT_TICK_MS: '500' } });
    const client = pipeline.store!.client;
    const events = makeEvents(2000, 'outage', 30);
    let sent = 0;
    const sending = sendReliably(events, { url: () => pipeline!.url, token: TEST_TOKEN, batchSize: 50, pauseMs: 20, onProgress: (n) => (sent = n) });
    await waitFor(() => (sent >= 500 ? true : undefined), '500 events sent', 60_000);
    await client.command({ query: 'DETACH TABLE events' });

    const during = await waitFor(async () => {
      const ready = await readiness(pipeline!.url);
      return ready.status === 503 && ready.checks.processor?.includes('has failed for') ? ready : undefined;
    }, 'the processor not ready', 30_000);
    expect(during.checks.processor).toContain('(UNKNOWN_TABLE; details in the log)');
    const alert = await waitFor(() => pipelineAlert(pipeline!.url), 'the pipeline-stalled alert', 30_000);
    expect(alert.state).toBe('firing');
    expect(Number(alert.details.waiting)).toBeGreaterThan(0);
    expect((await pipeline.metrics.pipelineStalledPartitions.get()).values[0]!.value).toBeGreaterThan(0);

    await client.command({ query: 'ATTACH TABLE events' });
    expect((await sending).acknowledged).toBe(2000);
    await expectExactly(pipeline.url, events);
    await waitFor(async () => ((await pipelineAlert(pipeline!.url))?.state === 'resolved' ? true : undefined), 'the alert resolved', 30_000);
    await waitFor(async () => ((await readiness(pipeline!.url)).status === 200 ? true : undefined), 'ready again', 30_000);
    await pipeline.stop();
    pipeline = undefined;
  }, 180_000);
});

describe('a processor frozen until Kafka evicted it', () => {
  let front: TestPipeline | undefined;
  let back: ChildService | undefined;
  afterAll(async () => {
    back?.process.kill('SIGCONT');
    await back?.kill('SIGKILL');
    await front?.stop();
  });

  it('comes back by itself after SIGCONT and counts everything once', async () => {
    const prefix = uniquePrefix();
    front = await startTestPipeline({ roles: { ingest: true, processor: false, api: false }, topicPrefix: prefix });
    back = await spawnService(['start', '--roles', 'processor,api'], {
      KAFKA_BROKERS: inject('kafkaBrokers'), KAFKA_TOPIC_PREFIX: prefix, DATA_DIR: mkdtempSync(path.join(tmpdir(), 'grouppulse-frozen-')),
      PSEUDONYM_KEY: '00112233445566778899aabbccddeeff', KAFKA_SESSION_TIMEOUT_MS: '6000',
    });
    await back.waitReady();
    const events = makeEvents(3000, 'frozen', 30);
    let sent = 0;
    const sending = sendReliably(events, { url: () => front!.url, token: TEST_TOKEN, batchSize: 50, pauseMs: 30, onProgress: (n) => (sent = n) });
    await waitFor(() => (sent >= 800 ? true : undefined), '800 events sent', 60_000);
    back.process.kill('SIGSTOP');
    await new Promise((resolve) => setTimeout(resolve, 15_000)); // past the 6 s session: Kafka evicts the member
    back.process.kill('SIGCONT');
    expect((await sending).acknowledged).toBe(3000);
    await expectExactly(back.url, events);
    await waitFor(async () => ((await readiness(back!.url)).status === 200 ? true : undefined), 'the processor ready again', 60_000);
    expect(back.output()).not.toMatch(/"level":(50|60).*could not be restarted/);
  }, 240_000);
});
