/**
 * `GROUPPULSE_SIMULATE=1 npm start`: a small simulated organisation playing into the process just
 * started, so a new user sees a living board at once. GROUPPULSE_SIMULATE_SCALE (default 0.01) and
 * GROUPPULSE_SIMULATE_SPEED (default 60) tune it. Runs until the process stops.
 */
import type { Logger } from '../common/logger.ts';
import { simulate } from './simulate.ts';

export function simulationRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  return ['1', 'true', 'yes'].includes((env.GROUPPULSE_SIMULATE ?? '').toLowerCase());
}

/** Starts in the background; never throws (a failed demo is logged, the service keeps running). */
export function startDemoSimulation(url: string, token: string | undefined, importToken: string | undefined, logger: Logger, env: NodeJS.ProcessEnv = process.env): void {
  if (!simulationRequested(env)) return;
  const log = logger.child({ component: 'simulator' });
  if (!token) {
    log.warn('GROUPPULSE_SIMULATE is set but there is no ingest token: not simulating');
    return;
  }
  const scale = Number(env.GROUPPULSE_SIMULATE_SCALE ?? 0.01);
  const speed = Number(env.GROUPPULSE_SIMULATE_SPEED ?? 60);
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  process.once('SIGTERM', () => controller.abort());
  simulate({
    url, token, importToken, scale: scale > 0 ? scale : 0.01, speed: speed > 0 ? speed : 60, durationSeconds: Infinity, rate: 300, burstsPerHour: 1, seed: 7, import: true,
    print: (line) => log.info(line), signal: controller.signal,
  }).then(
    (summary) => log.info({ sent: summary.sent }, 'simulation stopped'),
    (error: unknown) => log.error({ err: error }, 'simulation failed'),
  );
}
