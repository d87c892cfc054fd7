/** Alert metrics, registered on the process's registry (common/metrics.ts) without touching its declarations. */
import { Counter, Gauge } from 'prom-client';
import type { Metrics } from '../common/metrics.ts';

export function createAlertMetrics(metrics: Metrics) {
  const registers = [metrics.registry];
  const existing = <T>(name: string) => metrics.registry.getSingleMetric(name) as T | undefined;
  return {
    changes:
      existing<Counter<'change'>>('alerts_changes_total') ??
      new Counter({ name: 'alerts_changes_total', help: 'Alert changes published, by change (fired | resolved | escalated | acknowledged | digest)', labelNames: ['change'] as const, registers }),
    webhookAttempts:
      existing<Counter<'result'>>('alerts_webhook_attempts_total') ??
      new Counter({ name: 'alerts_webhook_attempts_total', help: 'Webhook delivery attempts, by result (ok | failed | gave_up | deferred: held back by a mute window, sent when it ends)', labelNames: ['result'] as const, registers }),
    notifications:
      existing<Counter<'channel' | 'outcome'>>('alerts_notifications_total') ??
      new Counter({
        name: 'alerts_notifications_total',
        help: 'Personal alert notifications, by channel (telegram) and outcome (sent | failed: retried | gave_up | duplicate: claimed elsewhere, not sent | linked | link_refused | acknowledged | ack_refused)',
        labelNames: ['channel', 'outcome'] as const,
        registers,
      }),
    leader:
      existing<Gauge>('alerts_detector_leader') ?? new Gauge({ name: 'alerts_detector_leader', help: '1 when this process runs the alert detector', registers }),
    open:
      existing<Gauge<'rule'>>('alerts_open') ?? new Gauge({ name: 'alerts_open', help: 'Open alerts (firing or acknowledged) after the last detector tick, by rule', labelNames: ['rule'] as const, registers }),
    tickSeconds:
      existing<Gauge>('alerts_detector_tick_seconds') ?? new Gauge({ name: 'alerts_detector_tick_seconds', help: 'Duration of the last detector tick', registers }),
  };
}

export type AlertMetrics = ReturnType<typeof createAlertMetrics>;
