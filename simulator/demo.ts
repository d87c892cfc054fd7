/**
 * `GROUPPULSE_SIMULATE=1 npm start`: a small simulated organisation playing into the process just
 * started, so a new user sees a living board at once. GROUPPULSE_SIMULATE_SCALE (default 0.01) and
 * GROUPPULSE_SIMULATE_SPEED (default 60) tune it (common/config.ts). Runs until the process stops.
 */
import type { Config } from '../common/config.ts';
import type { Logger } from '../common/logger.ts';
import { simulate } from './simulate.ts';

type DemoConfig = Pick<Config, 'GROUPPULSE_SIMULATE' | 'GROUPPULSE_SIMULATE_SCALE' | 'GROUPPULSE_SIMULATE_SPEED' | 'INGEST_TOKEN' | 'DIRECTORY_IMPORT_TOKEN'>;

/** Starts in the background when asked for; never throws (a failed demo is logged, the service keeps running). */
export function startDemoSimulation(url: string, config: DemoConfig, logger: Logger): void {
  if (!config.GROUPPULSE_SIMULATE) return;
  const log = logger.child({ component: 'simulator' });
  if (!config.INGEST_TOKEN) {
    log.warn('GROUPPULSE_SIMULATE is set but there is no ingest token: not simulating');
    return;
  }
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  process.once('SIGTERM', () => controller.abort());
  simulate({
    url, token: config.INGEST_TOKEN, importToken: config.DIRECTORY_IMPORT_TOKEN, scale: config.GROUPPULSE_SIMULATE_SCALE, speed: config.GROUPPULSE_SIMULATE_SPEED,
    durationSeconds: Infinity, rate: 300, burstsPerHour: 1, seed: 7, import: true, print: (line) => log.info(line), signal: controller.signal,
  }).then(
    (summary) => log.info({ sent: summary.sent }, 'simulation stopped'),
    (error: unknown) => log.error({ err: error }, 'simulation failed'),
  );
}
