/** ingest_requests_total{endpoint,status}: every answered request under /v1, by endpoint and status code. */
import type { NextFunction, Request, Response } from 'express';
import type { Metrics } from '../../common/metrics.ts';

/** The ingest endpoints by path: any other path under /v1 counts as `other`, so the label set stays small. */
const ENDPOINTS = ['/v1/events', '/v1/heartbeat', '/v1/webhooks/whatsapp', '/v1/webhooks/telegram', '/v1/imports/whatsapp-export'];

export function ingestEndpoint(path: string): string {
  const trimmed = path.length > 1 ? path.replace(/\/+$/, '') : path;
  return ENDPOINTS.includes(trimmed) ? trimmed : 'other';
}

/** Mount on /v1: counts each request once its answer is sent. */
export function countIngestRequests(metrics: Metrics) {
  return function countIngestRequest(req: Request, res: Response, next: NextFunction) {
    res.on('finish', () => metrics.ingestRequests.inc({ endpoint: ingestEndpoint(req.originalUrl.split('?')[0]!), status: String(res.statusCode) }));
    next();
  };
}
