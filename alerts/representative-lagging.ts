/**
 * Rule `representative-lagging`: a representative (directory_representatives) who has not posted for
 * `representatives.silentDays` days, or whose followers are below the target share of their unit's voters
 * (REPRESENTATIVE_FOLLOWER_TARGET) and did not grow over 7 days. One condition per representative and reason,
 * subject `<representative id>/silent` or `<representative id>/below-target`; it holds until they post or grow.
 * The alert goes to the leads of the representative's unit and division (detector), up the tree by escalation.
 * Self-contained like reach-missed: the detector adds these conditions to the evaluation's before planning.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { Scorecard } from '../common/contracts/representatives.ts';
import { DAY_MS } from '../common/time.ts';
import type { DirectoryIndex } from '../directory/directory-index.ts';
import { createDirectoryRepository } from '../directory/repository.ts';
import { POSTS_READ_DAYS, readAccountActivity, scoreRepresentatives } from '../directory/representatives.ts';
import type { Condition } from './evaluate.ts';

export const REPRESENTATIVE_RULE = 'representative-lagging';

export interface RepresentativeSettings {
  /** Share of the unit's voters a representative should have as followers. */
  target: number;
  /** Days are counted in this zone (posting days). */
  timeZone: string;
}

const percent = (x: number) => `${Math.round(x * 100)} %`;

/** The conditions, from the scorecards (pure). `addedAt`: when each representative entered the register (a silence with no post on record starts there). */
export function representativeConditions(
  index: Pick<DirectoryIndex, 'units'>,
  cards: readonly Scorecard[],
  addedAt: ReadonlyMap<string, number>,
  rules: { silentDays: number; target: number },
  now: number,
): Condition[] {
  const out: Condition[] = [];
  for (const card of cards) {
    const node = index.units.get(card.unit);
    if (!node) continue;
    const place = { subjectKind: 'representative' as const, division: node.division, divisions: [], unit: card.unit, unitPath: [...node.path], category: '' };
    const who = { person: card.person, role: card.role, unitName: card.unitName, platform: card.platform, account: card.account };
    const lastPost = card.lastPostAt === null ? undefined : Date.parse(card.lastPostAt);
    // No post on record: silent since they entered the register, or since as far back as posts are read.
    const added = addedAt.get(card.id);
    const silentSince = lastPost ?? (added === undefined ? undefined : Math.max(added, now - POSTS_READ_DAYS * DAY_MS));
    if (silentSince !== undefined && now - silentSince >= rules.silentDays * DAY_MS) {
      const days = Math.floor((now - silentSince) / DAY_MS);
      out.push({
        rule: REPRESENTATIVE_RULE, subject: `${card.id}/silent`, ...place, since: silentSince,
        message: lastPost === undefined
          ? `${card.role} ${card.person} (${card.unitName}) has posted nothing on ${card.platform} in ${days} days (limit ${rules.silentDays})`
          : `${card.role} ${card.person} (${card.unitName}) has not posted on ${card.platform} for ${days} days (limit ${rules.silentDays})`,
        details: { reason: 'silent', ...who, silentDays: days, limitDays: rules.silentDays, ...(lastPost === undefined ? { neverPosted: 1 } : {}) },
      });
    }
    if (card.belowTarget && card.share !== null && card.growth7 !== null && card.growth7 <= 0 && card.followersAt !== null) {
      out.push({
        rule: REPRESENTATIVE_RULE, subject: `${card.id}/below-target`, ...place, since: Date.parse(card.followersAt),
        message: `${card.role} ${card.person} (${card.unitName}) has ${card.followers} followers on ${card.platform}, ${percent(card.share)} of the unit's voters (target ${percent(rules.target)}), and did not grow in 7 days (${card.growth7})`,
        details: { reason: 'below-target', ...who, followers: card.followers ?? 0, share: card.share, target: rules.target, growth7: card.growth7 },
      });
    }
  }
  return out;
}

/** When each representative first entered the register: their first row's version (epoch µs) in ms. */
async function readAddedAt(client: ClickHouseClient): Promise<Map<string, number>> {
  const result = await client.query({ query: 'SELECT rep_id, toString(intDiv(min(version), 1000)) AS at FROM directory_representatives GROUP BY rep_id', format: 'JSONEachRow' });
  return new Map((await result.json<{ rep_id: string; at: string }>()).map((r) => [r.rep_id, Number(r.at)]));
}

/** Read the register and what collectors sent about the accounts, and judge every representative. */
export async function readRepresentativeConditions(client: ClickHouseClient, index: DirectoryIndex, settings: RepresentativeSettings, silentDays: number, now: number): Promise<Condition[]> {
  const representatives = await createDirectoryRepository(client).loadRepresentatives();
  if (representatives.length === 0) return [];
  const [activity, addedAt] = await Promise.all([readAccountActivity(client, representatives, now, settings.timeZone), readAddedAt(client)]);
  const cards = scoreRepresentatives(representatives, activity, index, settings.target);
  return representativeConditions(index, cards, addedAt, { silentDays, target: settings.target }, now);
}
