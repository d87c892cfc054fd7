/** The one answer when the bus cannot take events now: 503 with Retry-After, saying why and what to do. */
import type { Response } from 'express';
import type { BusUnavailableError } from '../../common/bus/bus.ts';

export function answerBusUnavailable(res: Response, error: BusUnavailableError, advice = 'retry later', extra: Record<string, unknown> = {}): void {
  res.set('Retry-After', String(error.retryAfterSeconds)).status(503).json({ error: `cannot accept events right now (${error.message}); ${advice}`, ...extra });
}
