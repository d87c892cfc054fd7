import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { backoffFor, deliveryId, describeTarget, signBody } from './webhooks.ts';

describe('webhooks', () => {
  const policy = { maxAttempts: 6, backoffMs: 1000, maxBackoffMs: 5000, timeoutMs: 10_000 };

  it('waits the first backoff after one failure, doubles after each next one, up to the cap', () => {
    expect([1, 2, 3, 4, 5].map((failed) => backoffFor(policy, failed))).toEqual([1000, 2000, 4000, 5000, 5000]);
  });

  it('signs the body with HMAC-SHA256 of the secret, in the sha256=<hex> form', () => {
    const body = '{"type":"alert.fired"}';
    expect(signBody('s3cret', body)).toBe(`sha256=${createHmac('sha256', 's3cret').update(body).digest('hex')}`);
    expect(signBody('other', body)).not.toBe(signBody('s3cret', body));
  });

  it('keeps credentials and query strings of a target out of what it records', () => {
    expect(describeTarget('https://user:pw@hooks.example.org/in?token=abc')).toBe('https://hooks.example.org/in');
    expect(describeTarget('not a url')).toBe('invalid url');
  });

  it('gives a message the same delivery id per target every time (receivers dedupe on it)', () => {
    expect(deliveryId('a:1:fired', 'http://x/')).toBe(deliveryId('a:1:fired', 'http://x/'));
    expect(deliveryId('a:1:fired', 'http://x/')).not.toBe(deliveryId('a:1:fired', 'http://y/'));
  });
});
