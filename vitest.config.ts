/**
 * Test tiers, by file name:
 * - unit:        `*.test.ts` beside the code — fast, pure, no I/O beyond temp files.
 * - integration: `*.integration.test.ts` — the real Kafka broker and the real ClickHouse engine.
 * - browser:     `test/browser/*.browser.test.ts` — the board in Debian's Chromium.
 * The integration and browser tiers share a global setup that finds or starts Kafka
 * (KAFKA_BROKERS, else testcontainers when Docker answers, else scripts/kafka-local) and fails,
 * never skips, when it cannot.
 */
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

const slow = { testTimeout: 120_000, hookTimeout: 180_000 };

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
          include: ['{common,ingest,processor,api,runtime,bin,test,directory,simulator,alerts}/**/*.test.ts'],
          exclude: ['**/*.integration.test.ts', '**/*.browser.test.ts', '**/node_modules/**'],
          // Tiers run one after the other: fast failures first, and no tier starves another of the 2 cores.
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['**/*.integration.test.ts'],
          exclude: ['**/node_modules/**'],
          globalSetup: ['test/support/global-setup.ts'],
          // Each file runs its own pipeline (and embedded engine) in its own process; two at a time on 2 cores.
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
          ...slow,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.browser.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          maxWorkers: 1,
          sequence: { groupOrder: 2 },
          ...slow,
        },
      },
    ],
  },
});
