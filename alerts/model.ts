/**
 * What only the server does with alerts (the contract itself is common/contracts/alerts.ts): how an
 * alert's id is made, the key of "one open alert per subject and rule", and whether one is open.
 */
import { createHash } from 'node:crypto';
import type { Alert, AlertRuleName } from '../common/contracts/alerts.ts';

export function alertId(rule: AlertRuleName, subject: string, since: number): string {
  return createHash('sha256').update(`${rule}\u0000${subject}\u0000${since}`).digest('hex').slice(0, 32);
}

/** Key of "one open alert per subject and rule". */
export function openKey(rule: string, subject: string): string {
  return `${rule}\u0000${subject}`;
}

export function isOpen(alert: Pick<Alert, 'state'>): boolean {
  return alert.state !== 'resolved';
}
