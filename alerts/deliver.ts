/**
 * Delivers what the detector published to the configured webhooks: single alert changes (held back
 * while a mute window is on — the next digest lists the groups) and digests. Every attempt is
 * stored (alert_deliveries) and counted; a target that keeps failing is given up on after the
 * policy's attempts so one dead receiver never stalls the others.
 */
import type { Logger } from '../common/logger.ts';
import type { AlertMetrics } from './metrics.ts';
import type { AlertMessage } from './model.ts';
import type { AlertRepository } from './repository.ts';
import { isMuted, type AlertRules } from './rules.ts';
import { deliver, deliveryId, describeTarget, type RetryPolicy, type WebhookTarget } from './webhooks.ts';

export interface DelivererOptions {
  targets: WebhookTarget[];
  policy: RetryPolicy;
  repository: AlertRepository;
  rules: AlertRules;
  now: () => number;
  metrics: AlertMetrics;
  logger: Logger;
}

export function createDeliverer(options: DelivererOptions): (message: AlertMessage) => Promise<void> {
  const log = options.logger.child({ component: 'alerts-webhooks' });
  return async function deliverMessage(message) {
    if (options.targets.length === 0) return;
    const sentAt = new Date(options.now()).toISOString();
    let key: string;
    let alertId: string;
    let event: string;
    let body: string;
    if (message.kind === 'alert') {
      if (message.change !== 'escalated' && isMuted(options.rules.muteWindows, options.now())) {
        options.metrics.webhookAttempts.inc({ result: 'muted' });
        return;
      }
      key = `${message.alert.id}:${message.alert.version}:${message.change}`;
      alertId = message.alert.id;
      event = `alert.${message.change}`;
      body = JSON.stringify({ type: event, sentAt, alert: message.alert, recipients: [...message.alert.recipients, ...message.alert.escalatedTo] });
    } else {
      key = `digest:${message.digest.id}`;
      alertId = '';
      event = 'digest';
      body = JSON.stringify({ type: event, sentAt, digest: message.digest, recipients: message.digest.recipients });
    }
    for (const target of options.targets) {
      const attempts = await deliver(target, { id: deliveryId(key, target.url), alertId, kind: message.kind, event, body }, options.policy, options.now);
      for (const a of attempts) options.metrics.webhookAttempts.inc({ result: a.ok ? 'ok' : 'failed' });
      const last = attempts[attempts.length - 1];
      if (last && !last.ok) {
        options.metrics.webhookAttempts.inc({ result: 'gave_up' });
        log.warn({ target: describeTarget(target.url), event, attempts: attempts.length, error: last.error }, 'webhook delivery gave up');
      }
      try {
        await options.repository.recordDeliveries(attempts);
      } catch (error) {
        log.warn({ err: error }, 'could not record webhook attempts');
      }
    }
  };
}
