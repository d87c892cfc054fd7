/**
 * /healthz: the process is up. /readyz: it can do its job now — every dependency check passes
 * and it is not shutting down. Checks are named so a failing one is visible in the answer.
 */
import express, { type Router } from 'express';

export type ReadinessCheck = () => Promise<void>;

export interface Health {
  router: Router;
  /** Flip readiness off (shutdown) or on. */
  setReady(ready: boolean): void;
  addCheck(name: string, check: ReadinessCheck): void;
}

export function createHealth(): Health {
  let ready = false;
  const checks = new Map<string, ReadinessCheck>();
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const results: Record<string, string> = {};
    let ok = ready;
    for (const [name, check] of checks) {
      try {
        await Promise.race([check(), new Promise((_, reject) => setTimeout(() => reject(new Error('timed out after 3 s')), 3000))]);
        results[name] = 'ok';
      } catch (error) {
        ok = false;
        results[name] = (error as Error).message;
      }
    }
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : ready ? 'not ready' : 'starting or stopping', checks: results });
  });
  return {
    router,
    setReady(value) {
      ready = value;
    },
    addCheck(name, check) {
      checks.set(name, check);
    },
  };
}
