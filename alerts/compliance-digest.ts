/**
 * The daily compliance digest: once a day (after `compliance.digestAt`, local time of `digest.timeZone`, outside
 * mute windows) every lead gets, per unit they lead, its compliance — counts and the first booths that fall short,
 * "and N more" after `compliance.listBooths` — on the digests' path (the alerts topic: webhooks, the socket).
 * Whether a lead had today's digest of a unit is read back from alert_digests, so a restart sends none twice.
 */
import { createHash } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Digest, DigestLine } from '../common/contracts/alerts.ts';
import type { AdminRule } from '../common/contracts/compliance.ts';
import { localDayStart, localMinutes } from '../common/time.ts';
import { readCompliance, type ComplianceReport } from '../directory/compliance.ts';
import { expectedCategories } from '../directory/coverage.ts';
import type { DirectoryIndex } from '../directory/directory-index.ts';
import type { AlertRules } from './rules.ts';

/** What compliance needs from the deployment: the pramukh's role, the admin rules, the door's keyed hash of a phone number. */
export interface ComplianceSettings {
  pramukhRole: string;
  admins: AdminRule[];
  personKey: (phone: string) => string;
}

/** Digest ids of compliance digests start with this (the hourly digest's timer and cap leave them out). */
export const COMPLIANCE_DIGEST_PREFIX = 'compliance-';

/** A unit's compliance digest from its report (pure). */
export function complianceDigestFrom(
  unit: { id: string; name: string; division: string },
  report: ComplianceReport,
  recipients: string[],
  now: number,
  day: number,
): Digest {
  const { total } = report;
  const more = report.boothsTotal - report.booths.length;
  const line = (text: string, silent = 0, count = 0): DigestLine => ({ category: '', silent, total: count, text });
  const lines = [
    report.boothsTotal === 0
      ? line(`all ${total.booths} booths of ${unit.name} have their groups and a pramukh in them`, 0, total.booths)
      : line(`${report.boothsTotal} of the ${total.booths} booths of ${unit.name} fall short: ${total.missingGroups} miss a required group, ${total.noPramukh} have no pramukh, ${total.pramukhAbsent} have a pramukh in none of their groups`, report.boothsTotal, total.booths),
    ...(total.ruledGroups > 0 ? [line(`${total.adminMissing} of ${total.ruledGroups} category groups miss their required admin`, total.adminMissing, total.ruledGroups)] : []),
    ...report.booths.map((b) => line(`${b.name}: ${[...(b.missing.length > 0 ? [`no ${b.missing.join(', ')} group`] : []), ...(b.pramukh === 'none' ? ['no pramukh'] : b.pramukh === 'absent' ? [`pramukh ${b.pramukhName} in none of its groups`] : [])].join('; ')}`)),
    ...(more > 0 ? [line(`and ${more} more`)] : []),
  ];
  return {
    id: COMPLIANCE_DIGEST_PREFIX + createHash('sha256').update(`${unit.id}\u0000${day}`).digest('hex').slice(0, 32),
    division: unit.division,
    recipients,
    sentAt: now,
    silentDays: 0,
    lines,
    newlyQuiet: [],
    compliance: {
      unit: unit.id,
      unitName: unit.name,
      total,
      booths: report.booths.map(({ id, name, missing, pramukh, pramukhName }) => ({ id, name, missing, pramukh, pramukhName })),
      boothsTotal: report.boothsTotal,
      more,
      groupsShort: report.groupsTotal,
    },
  };
}

/** Today's compliance digests still due: per unit that has leads, to its leads who did not get that unit's today. */
export async function complianceDigestsDue(
  client: ClickHouseClient,
  index: DirectoryIndex,
  rules: AlertRules,
  settings: ComplianceSettings,
  ledUnits: ReadonlyMap<string, readonly string[]>,
  sentToday: (since: number) => Promise<Set<string>>,
  now: number,
): Promise<Digest[]> {
  const { timeZone } = rules.digest;
  const [hh, mm] = rules.compliance.digestAt.split(':').map(Number);
  if (localMinutes(now, timeZone) < hh! * 60 + mm!) return [];
  const day = localDayStart(now, timeZone);
  const sent = await sentToday(day);
  const out: Digest[] = [];
  for (const [unitId, leads] of [...ledUnits].sort(([a], [b]) => a.localeCompare(b))) {
    const node = index.units.get(unitId);
    const recipients = leads.filter((lead) => !sent.has(`${lead}\u0000${unitId}`));
    if (!node || recipients.length === 0) continue;
    const categories = expectedCategories(index.settings);
    const report = await readCompliance(client, index, unitId, { categories, pramukhRole: settings.pramukhRole, admins: settings.admins }, settings.personKey, rules.compliance.listBooths);
    out.push(complianceDigestFrom({ id: unitId, name: node.unit.name, division: node.division }, report, [...recipients].sort(), now, day));
  }
  return out;
}
