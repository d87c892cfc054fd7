/**
 * Delivers what the detector published to the configured webhooks: alert changes and digests. While
 * a mute window is on, a message is held back in the store (alert_webhook_outbox) instead of sent;
 * the detector's runner delivers what was held back once the window is over, so a mute window delays
 * an alert and never loses it (a restart in between keeps it: it is in ClickHouse). Every attempt is
 * stored (alert_deliveries) and counted; a target that keeps failing is given up on after the
 * policy's attempts so one dead receiver never stalls the others.
 */
import type { Logger } from '../common/logger.ts';
import type { AlertMetrics } from './metrics.ts';
import type { AlertMessage } from '../common/contracts/alerts.ts';
import type { AlertRepository } from './repository.ts';
import { isMuted, type AlertRules } from './rules.ts';
import { deliver, deliveryId, describeTarget, type RetryPolicy, type WebhookTarget } from './webhooks.ts';

export interface DelivererOptions {
  targets: WebhookTarget[];
  policy: RetryPolicy;
  repository: AlertRepository;
  /** The rules in effect (their mute windows), read at each delivery. */
  rules: () => AlertRules;
  now: () => number;
  metrics: AlertMetrics;
  logger: Logger;
}

export interface Deliverer {
  /** Send one message from the alerts topic to every target now, or hold it back while a mute window is on. */
  deliver(message: AlertMessage): Promise<void>;
  /** When no mute window is on, send what was held back, oldest first; returns how many were sent. */
  flushDeferred(): Promise<number>;
}

/** Stable per message: the same change of the same alert (or the same digest) has the same key. */
export function messageKey(message: AlertMessage): string {
  return message.kind === 'alert' ? `${message.alert.id}:${message.alert.version}:${message.change}` : `digest:${message.digest.id}`;
}

export function createDeliverer(options: DelivererOptions): Deliverer {
  const log = options.logger.child({ component: 'alerts-webhooks' });

  async function send(message: AlertMessage): Promise<void> {
    const key = messageKey(message);
    const sentAt = new Date(options.now()).toISOString();
    const event = message.kind === 'alert' ? `alert.${message.change}` : 'digest';
    const alertId = message.kind === 'alert' ? message.alert.id : '';
    const body =
      message.kind === 'alert'
        ? JSON.stringify({ type: event, sentAt, alert: message.alert, recipients: [...new Set([...message.alert.recipients, ...message.alert.escalatedTo])] })
        : JSON.stringify({ type: event, sentAt, digest: message.digest, recipients: message.digest.recipients });
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
  }

  return {
    async deliver(message) {
      if (options.targets.length === 0) return;
      const now = options.now();
      if (isMuted(options.rules().muteWindows, now)) {
        // Stored, not dropped: when this write fails the batch is handled again (the bus redelivers it).
        await options.repository.defer(messageKey(message), message, now, now * 1000);
        options.metrics.webhookAttempts.inc({ result: 'deferred' });
        return;
      }
      await send(message);
    },

    async flushDeferred() {
      if (options.targets.length === 0 || isMuted(options.rules().muteWindows, options.now())) return 0;
      const held = await options.repository.deferred();
      for (const { key, message, queuedAt } of held) {
        await send(message);
        const now = options.now();
        await options.repository.deliveredDeferred(key, queuedAt, now, now * 1000 + 1);
      }
      if (held.length > 0) log.info({ messages: held.length }, 'delivered webhooks held back by a mute window');
      return held.length;
    },
  };
}
