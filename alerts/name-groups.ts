/**
 * A group alert names its group by the directory's title where it has one, so a lead reads "Sanganer
 * yuva" rather than an id like wa:g2: `details.title` for the board's sentence (web/src/lib/alert-text.ts)
 * and the English `message` (webhooks) as `group "Sanganer yuva" (wa:g2) …`. Pure.
 */
import type { Alert } from '../common/contracts/alerts.ts';

export function nameGroups(alerts: Alert[], titles: ReadonlyMap<string, string>): void {
  for (const alert of alerts) {
    if (alert.subjectKind !== 'group') continue;
    const title = titles.get(alert.subject);
    if (!title) continue;
    alert.details = { ...alert.details, title };
    // evaluate.ts starts every group alert's message with `group <id>`.
    const bare = `group ${alert.subject}`;
    if (alert.message.startsWith(bare)) alert.message = `group "${title}" (${alert.subject})${alert.message.slice(bare.length)}`;
  }
}
