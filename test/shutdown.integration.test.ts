/**
 * Graceful shutdown of the real CLI process: SIGTERM flips readiness, drains what was accepted,
 * commits and exits 0; a second signal exits at once.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { spawnService } from './support/child-service.ts';
import { makeEvents } from './support/events.ts';
import { waitFor } from './support/wait.ts';
import { openEmbeddedStore } from './support/store.ts';

const env = (dataDir: string) => ({ KAFKA_BROKERS: '', CLICKHOUSE_URL: '', DATA_DIR: dataDir, INGEST_TOKEN: 'shutdown-test-token', LOG_LEVEL: 'info' });

async function post(url: string, events: object[]) {
  return fetch(`${url}/v1/events`, { method: 'POST', headers: { authorization: 'Bearer shutdown-test-token', 'content-type': 'application/json' }, body: JSON.stringify(events) });
}

describe('graceful shutdown', () => {
  it('drains every accepted event into ClickHouse before exiting 0 on SIGTERM', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'grouppulse-shutdown-'));
    const service = await spawnService(['start'], env(dataDir));
    await service.waitReady();
    const events = makeEvents(4000, 'sd', 50);
    let accepted = 0;
    for (let start = 0; start < events.length; start += 500) {
      const response = await post(service.url, events.slice(start, start + 500));
      expect(response.status).toBe(202);
      accepted += ((await response.json()) as { accepted: number }).accepted;
    }
    const code = await service.kill('SIGTERM');
    expect(code, service.output()).toBe(0);
    expect(service.output()).toContain('shutting down');

    const store = await openEmbeddedStore(dataDir);
    try {
      const result = await store.client.query({ query: 'SELECT count() AS n FROM events', format: 'JSONEachRow' });
      expect(Number((await result.json<{ n: string }>())[0]!.n)).toBe(accepted);
    } finally {
      await store.close();
    }
  });

  it('exits at once on a second signal while it is still draining', async () => {
    const service = await spawnService(['start'], env(mkdtempSync(path.join(tmpdir(), 'grouppulse-shutdown-'))));
    await service.waitReady();
    // A request still in flight keeps the graceful stop waiting (it waits for open requests).
    const { port } = new URL(service.url);
    const slow = connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve) => slow.once('connect', () => resolve()));
    slow.write('POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer shutdown-test-token\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n[');
    service.process.kill('SIGTERM');
    await waitFor(() => (service.output().includes('shutting down') ? true : undefined), 'the graceful stop to begin');
    service.process.kill('SIGTERM');
    expect(await service.exited, service.output()).toBe(1);
    expect(service.output()).toContain('second signal: exiting now');
    slow.destroy();
  });

});
