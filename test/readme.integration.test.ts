/**
 * README's "Send events" examples run as written: its `sh` blocks, pointed at a fresh `grouppulse start`
 * instead of port 8080, send an event and read it back through sign-in and the summary probe.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_ADMIN_PASSWORD } from './support/auth.ts';
import { spawnService, type ChildService } from './support/child-service.ts';
import { waitFor } from './support/wait.ts';

const run = promisify(execFile);
const README = readFileSync(path.resolve(import.meta.dirname, '..', 'README.md'), 'utf8');
const TOKEN = 'readme-example-token';

/** The `sh` blocks of one README section, in order. */
function shellBlocks(section: string): string[] {
  const start = README.indexOf(`\n## ${section}\n`);
  if (start < 0) throw new Error(`README has no section "${section}"`);
  const end = README.indexOf('\n## ', start + 1);
  const text = README.slice(start, end < 0 ? undefined : end);
  return [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/** What a block says it answers: the text after "→" (and an optional status) on its comment line. */
function promised(block: string): string {
  const line = /^# → (?:\d{3} )?(.*)$/m.exec(block);
  if (!line) throw new Error(`README block has no "# → …" answer:\n${block}`);
  return line[1]!;
}

describe("README's examples", () => {
  let service: ChildService | undefined;
  afterAll(async () => {
    await service?.kill('SIGKILL');
  });

  it('send an event and read it back as written', async () => {
    const blocks = shellBlocks('Send events');
    expect(blocks).toHaveLength(2);
    service = await spawnService(['start'], { KAFKA_BROKERS: '', CLICKHOUSE_URL: '', DATA_DIR: mkdtempSync(path.join(tmpdir(), 'grouppulse-readme-')), INGEST_TOKEN: TOKEN });
    await service.waitReady();
    const env = { ...process.env, INGEST_TOKEN: TOKEN, ADMIN_PASSWORD: TEST_ADMIN_PASSWORD };
    const asWritten = (block: string) => run('bash', ['-euo', 'pipefail', '-c', block.replaceAll('http://127.0.0.1:8080', service!.url)], { env });

    const [send, read] = blocks as [string, string];
    expect((await asWritten(send)).stdout.trim()).toBe(promised(send));

    const expected = promised(read);
    const answer = await waitFor(async () => {
      const body = JSON.parse((await asWritten(read)).stdout) as { rows: { messages: number }[] };
      return body.rows.some((r) => r.messages > 0) ? body : undefined;
    }, 'the README event counted', 60_000);
    expect(answer).toEqual({ from: '2026-11-22T00:00:00.000Z', to: '2026-11-23T00:00:00.000Z', rows: [expect.objectContaining({ division: 'unassigned', category: 'unassigned', messages: 1 })] });
    // The promised answer is the real one up to the elided fields.
    expect(JSON.stringify(answer).startsWith(expected.split('…')[0]!)).toBe(true);
  }, 180_000);
});
