/**
 * Test tiers, by file name:
 * - unit:        `*.test.ts` beside the code — fast, pure, no I/O beyond temp files.
 * - integration: `*.integration.test.ts` — the real Kafka broker and the real ClickHouse engine embedded
 *                (chdb), each file its own pipeline in its own process.
 * - integration-server: the integration files that make sense on a ClickHouse server (SERVER_FILES) run
 *                again on one: the same tests, each deployment a database of its own on the server, the
 *                project's users (deploy/clickhouse/) loaded. Tests ask `inject('clickhouseEngine')`.
 * - distributed: `test/distributed/*.distributed.test.ts` — the services as separate processes (the real command
 *                line) on a Kafka broker and a ClickHouse server of the file's own, which it kills, pauses and
 *                restarts (docker-compose's deployment without Docker).
 * - browser:     `test/browser/*.browser.test.ts` — the board in Debian's Chromium.
 * The integration and browser tiers share a global setup that finds or starts Kafka (KAFKA_BROKERS, else
 * testcontainers when Docker answers, else scripts/kafka-local) and, for the server tier, a ClickHouse server
 * (CLICKHOUSE_URL, else testcontainers, else scripts/clickhouse-local), and fails, never skips, when it cannot.
 */
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

const slow = { testTimeout: 120_000, hookTimeout: 180_000 };

/**
 * What runs on the server too: everything that reads or writes ClickHouse through the services or a test
 * store (test/support/store.ts#openTestStore). Not here: tests of the embedded engine itself (settings that
 * stick to its session, replay after an engine restart), of processes on an embedded data dir (shutdown,
 * faults: the distributed tier will run services as processes on the server), of the bus alone, and
 * processor.integration and replay-after-restart, which open the embedded engine, and the stalls test, whose
 * store hang is the embedded engine running one statement at a time.
 */
const SERVER_FILES = [
  'common/store/migrate.integration.test.ts',
  'common/store/retention.integration.test.ts',
  'common/store/query-limits.integration.test.ts',
  'test/analyst-user.integration.test.ts',
  'test/pipeline.integration.test.ts',
  'test/contract-fields.integration.test.ts',
  'ingest/ingest.integration.test.ts',
  'ingest/privacy.integration.test.ts',
  'api/access/access.integration.test.ts',
  'api/access/sessions.integration.test.ts',
  'api/board/routes.integration.test.ts',
  'api/board/reach.integration.test.ts',
  'directory/reach-pasted.integration.test.ts',
  'directory/reach.integration.test.ts',
  'api/day-rollups.integration.test.ts',
  'api/live/live-counts.integration.test.ts',
  'api/live/live-scoping.integration.test.ts',
  'directory/directory.integration.test.ts',
  'directory/contacts.integration.test.ts',
  'directory/representatives.integration.test.ts',
  'directory/compliance.integration.test.ts',
  'alerts/representative-lagging.integration.test.ts',
  'api/board/unit-reads.integration.test.ts',
  'alerts/alerts.integration.test.ts',
  'alerts/alerts-routing.integration.test.ts',
  'alerts/inbox.integration.test.ts',
  'alerts/notify/telegram.integration.test.ts',
  'alerts/notify/channels.integration.test.ts',
  'alerts/notify/schedule.integration.test.ts',
  'processor/dedupe.integration.test.ts',
  'test/odd-input.integration.test.ts',
  'api/sql/sql.integration.test.ts',
  'api/sql/workbench.integration.test.ts',
];
/** Only on a server: what the embedded engine does not have (users, grants, the server's request limits). */
const SERVER_ONLY_FILES = ['test/analyst-user.integration.test.ts'];

export default defineConfig({
  test: {
    pool: 'forks',
    projects: [
      {
        // The board's runes (`*.svelte.ts`) compiled as in the browser, so its state classes can be tested here.
        plugins: [svelte({ configFile: false })],
        resolve: { conditions: ['browser'] },
        test: {
          name: 'unit',
          include: ['{common,ingest,processor,api,runtime,bin,test,directory,simulator,alerts,access}/**/*.test.ts'],
          exclude: ['**/*.integration.test.ts', '**/*.browser.test.ts', '**/*.distributed.test.ts', '**/node_modules/**'],
          // Tiers run one after the other: fast failures first, and no tier starves another of the 2 cores.
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['**/*.integration.test.ts'],
          exclude: ['**/node_modules/**', ...SERVER_ONLY_FILES],
          globalSetup: ['test/support/global-setup.ts'],
          provide: { clickhouseEngine: 'embedded' },
          // Each file runs its own pipeline (and embedded engine) in its own process; two at a time on 2 cores.
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
          ...slow,
        },
      },
      {
        test: {
          name: 'integration-server',
          include: SERVER_FILES,
          globalSetup: ['test/support/global-setup.ts'],
          provide: { clickhouseEngine: 'server' },
          maxWorkers: 2,
          sequence: { groupOrder: 2 },
          ...slow,
        },
      },
      {
        test: {
          name: 'distributed',
          include: ['test/distributed/**/*.distributed.test.ts'],
          // Its broker and server are its own (it stops them); its seven services share the 2 cores.
          maxWorkers: 1,
          sequence: { groupOrder: 3 },
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.browser.test.ts'],
          globalSetup: ['test/support/global-setup.ts', 'test/support/build-board.ts'],
          provide: { clickhouseEngine: 'embedded' },
          // Two files at a time: much of a browser test is waiting on the page, not computing.
          maxWorkers: 2,
          sequence: { groupOrder: 4 },
          ...slow,
        },
      },
    ],
  },
});
