/**
 * Acknowledging an alert from a notification (Telegram's button, WhatsApp's quick reply, the email's
 * link) as the user it was sent to: only a user who may respond (admin, monitor, lead; not disabled) and
 * whose alert it is (addressed to them, or in their scope), the same rule for every channel.
 */
import { mayReadAlert, type AckChannel, type Alert, type AlertMessage } from '../../common/contracts/alerts.ts';
import type { Logger } from '../../common/logger.ts';
import { scopeOf } from '../../access/roles.ts';
import type { UsersRepository } from '../../access/users-repository.ts';
import type { AlertRepository } from '../repository.ts';
import type { NotifyCounter } from './notifier.ts';

export interface AcknowledgeDeps {
  alerts: Pick<AlertRepository, 'get' | 'acknowledge'>;
  users: Pick<UsersRepository, 'get'>;
  /** Put the acknowledgement on the alerts topic (the board and every api instance see it). */
  publish: (messages: AlertMessage[]) => Promise<void>;
  now: () => number;
  counter: NotifyCounter;
  logger: Logger;
}

export type AckOutcome = 'acknowledged' | 'alreadyAcknowledged' | 'resolved' | 'notYours';

export type AcknowledgeAs = (username: string | undefined, alertId: string | undefined, via: Exclude<AckChannel, 'board'>) => Promise<AckOutcome>;

export function createAcknowledgeAs(deps: AcknowledgeDeps): AcknowledgeAs {
  const log = deps.logger.child({ component: 'alerts-notify-ack' });

  async function mayAcknowledge(username: string, alert: Alert): Promise<boolean> {
    const user = await deps.users.get(username);
    if (!user || user.disabled || !user.roles.some((r) => r === 'admin' || r === 'monitor' || r === 'lead')) return false;
    return alert.recipients.includes(username) || alert.escalatedTo.includes(username) || mayReadAlert(scopeOf(user), alert);
  }

  return async function acknowledgeAs(username, alertId, via) {
    const alert = alertId ? await deps.alerts.get(alertId) : undefined;
    if (!username || !alert || !(await mayAcknowledge(username, alert))) {
      deps.counter.inc({ channel: via, outcome: 'ack_refused' });
      return 'notYours';
    }
    if (alert.state === 'acknowledged') return 'alreadyAcknowledged';
    if (alert.state === 'resolved') return 'resolved';
    const now = deps.now();
    await deps.alerts.acknowledge(alert.id, username, now, via);
    const acknowledged: Alert = { ...alert, state: 'acknowledged', acknowledgedAt: now, acknowledgedBy: username, acknowledgedVia: via, snoozedUntil: null, snoozedBy: null };
    await deps.publish([{ kind: 'alert', change: 'acknowledged', alert: acknowledged }]).catch((error: unknown) => log.warn({ err: error }, 'could not publish an acknowledgement'));
    deps.counter.inc({ channel: via, outcome: 'acknowledged' });
    log.info({ alert: alert.id, user: username, via }, 'alert acknowledged from a notification');
    return 'acknowledged';
  };
}
