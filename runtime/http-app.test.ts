import type { NextFunction, Request, Response } from 'express';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../common/logger.ts';
import { errorHandler, redactUrlSecrets } from './http-app.ts';

/** Just what the handler touches of a response. */
function fakeResponse() {
  const answer: { status?: number; body?: unknown } = {};
  const res = {
    headersSent: false,
    getHeader: () => 'req-1',
    status(code: number) {
      answer.status = code;
      return this;
    },
    json(body: unknown) {
      answer.body = body;
      return this;
    },
  };
  return { res: res as unknown as Response, answer };
}

function handle(error: Error & { status?: number; type?: string; limit?: number }) {
  const { res, answer } = fakeResponse();
  errorHandler(createLogger('silent'))(error, { originalUrl: '/api/v1/x' } as Request, res, (() => undefined) as NextFunction);
  return answer;
}

describe('the error handler', () => {
  it('answers a failure 500 without its message', () => {
    const answer = handle(new Error('ClickHouse said: table grouppulse.users is missing at host 10.0.0.7'));
    expect(answer).toEqual({ status: 500, body: { error: 'internal error; see the server log' } });
  });

  it('answers what body-parser refused in words of its own', () => {
    expect(handle(Object.assign(new Error('request entity too large'), { status: 413, type: 'entity.too.large', limit: 100 }))).toEqual({ status: 413, body: { error: 'body too large: send at most 100 bytes per request' } });
    expect(handle(Object.assign(new Error('Unexpected token } in JSON at position 7'), { status: 400, type: 'entity.parse.failed' }))).toEqual({ status: 400, body: { error: 'body is not valid JSON' } });
    expect(handle(Object.assign(new Error('unsupported charset "UTF-16"'), { status: 415, type: 'charset.unsupported' }))).toEqual({ status: 415, body: { error: 'unsupported charset: send the body as UTF-8' } });
    expect(handle(Object.assign(new Error('secret detail'), { status: 418 }))).toEqual({ status: 418, body: { error: 'the request was refused (HTTP 418)' } });
  });

  it('keeps the WhatsApp verify token out of logged URLs', () => {
    expect(redactUrlSecrets('/v1/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=s3cret&hub.challenge=1')).toBe('/v1/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=[redacted]&hub.challenge=1');
  });
});
