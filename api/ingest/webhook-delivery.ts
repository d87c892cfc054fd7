/**
 * What both webhooks do with a delivery once its sender is verified: read the JSON (400 when it cannot be
 * read: a retry would not make it better), accept its events and answer 200 with what was refused, or
 * 503 on a bus outage so that the platform retries.
 */
import type { Response } from 'express';
import { BusUnavailableError } from '../../common/bus/bus.ts';
import type { Logger } from '../../common/logger.ts';
import { jsonTooDeep } from '../../ingest/parse-body.ts';
import type { WebhookOutcome } from '../../ingest/webhooks/accept-mapped.ts';
import { answerBusUnavailable } from './bus-unavailable.ts';

/** The parsed body, or undefined after answering 400 (`what` names it in the error, e.g. "JSON Update"). */
export function readDeliveryJson(res: Response, text: string, what: string): unknown {
  try {
    const tooDeep = jsonTooDeep(text);
    if (tooDeep) throw new Error(tooDeep);
    return JSON.parse(text) as unknown;
  } catch (error) {
    res.status(400).json({ error: `body is not a readable ${what}: ${(error as Error).message}` });
    return undefined;
  }
}

/** Runs `accept` and answers: 200 with the outcome, or 503 when the bus cannot take the events (`platform` retries). */
export async function answerDelivery(res: Response, log: Logger, platform: string, accept: () => Promise<WebhookOutcome>): Promise<void> {
  try {
    const outcome = await accept();
    if (outcome.rejected.length > 0) log.warn({ rejected: outcome.rejected.length, first: outcome.rejected[0] }, `${platform} delivery had items that cannot be counted`);
    res.status(200).json(outcome);
  } catch (error) {
    if (!(error instanceof BusUnavailableError)) throw error;
    log.warn({ err: error }, `bus unavailable, answering 503 (${platform} retries)`);
    answerBusUnavailable(res, error);
  }
}
