/**
 * Outgoing webhooks: signed JSON (`X-GroupPulse-Signature-256: sha256=<hex HMAC-SHA256 of the body>`,
 * the GitHub convention), retried with exponential backoff, every attempt recorded so failures are
 * visible through the api and in metrics. The secret is never logged.
 */
import { createHash, createHmac } from 'node:crypto';
import type { DeliveryAttempt } from './repository.ts';

export interface WebhookTarget {
  url: string;
  secret: string;
}

export interface RetryPolicy {
  maxAttempts: number;
  /** First wait; doubles after each failure, capped at maxBackoffMs. */
  backoffMs: number;
  maxBackoffMs: number;
  timeoutMs: number;
}

export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

export function backoffFor(policy: RetryPolicy, failedAttempts: number): number {
  return Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** (failedAttempts - 1));
}

/** The url with any credentials and query cut off, for logs and the deliveries table. */
export function describeTarget(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return 'invalid url';
  }
}

export interface Delivery {
  /** Stable per message and target: receivers dedupe on it (X-GroupPulse-Delivery). */
  id: string;
  alertId: string;
  kind: 'alert' | 'digest';
  event: string;
  body: string;
}

export function deliveryId(messageKey: string, target: string): string {
  return createHash('sha256').update(`${messageKey}\u0000${target}`).digest('hex').slice(0, 32);
}

/** Post until a 2xx or the attempts run out; returns every attempt. Never throws. */
export async function deliver(target: WebhookTarget, delivery: Delivery, policy: RetryPolicy, now: () => number = Date.now): Promise<DeliveryAttempt[]> {
  const attempts: DeliveryAttempt[] = [];
  const where = describeTarget(target.url);
  for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
    let status = 0;
    let error = '';
    try {
      const response = await fetch(target.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'GroupPulse-Alerts/1',
          'x-grouppulse-event': delivery.event,
          'x-grouppulse-delivery': delivery.id,
          'x-grouppulse-signature-256': signBody(target.secret, delivery.body),
        },
        body: delivery.body,
        signal: AbortSignal.timeout(policy.timeoutMs),
      });
      status = response.status;
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) error = `HTTP ${status}`;
    } catch (e) {
      error = (e as Error).name === 'TimeoutError' ? `no answer within ${policy.timeoutMs} ms` : (e as Error).message;
    }
    const ok = error === '';
    attempts.push({ deliveryId: delivery.id, alertId: delivery.alertId, kind: delivery.kind, target: where, attempt, ok, status, error, at: now() });
    if (ok) break;
    if (attempt < policy.maxAttempts) await new Promise((resolve) => setTimeout(resolve, backoffFor(policy, attempt)));
  }
  return attempts;
}
