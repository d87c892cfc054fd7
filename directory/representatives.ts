/**
 * Scorecards of representatives: the directory's representatives joined with what collectors sent about their
 * public accounts (account_events: `account_snapshot` followers, `post`). Copies of one event (a replayed
 * batch) change none of the figures: they are latest values, maxima and distinct days.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { Scorecard, UnitScore } from '../common/contracts/representatives.ts';
import { DAY_MS } from '../common/time.ts';
import type { DirectoryIndex } from './directory-index.ts';
import type { Representative } from './model.ts';

/** What the events say of one account. */
export interface AccountActivity {
  followers: number | null;
  followersAt: number | null;
  followers7: number | null;
  followers30: number | null;
  postDays7: number;
  postDays30: number;
  lastPostAt: number | null;
}

/** How far back account events are read: growth over 30 days needs a snapshot from before then. */
export const POSTS_READ_DAYS = 90;

const keyOf = (platform: string, account: string) => `${platform}\u0000${account}`;

/** The activity of the representatives' accounts as of `now`, days counted in `timeZone`. */
export async function readAccountActivity(client: ClickHouseClient, representatives: readonly Representative[], now: number, timeZone: string): Promise<Map<string, AccountActivity>> {
  const accounts = [...new Set(representatives.map((r) => r.account))];
  const activity = new Map<string, AccountActivity>();
  if (accounts.length === 0) return activity;
  const result = await client.query({
    query: `SELECT platform, account,
              countIf(type = 'account_snapshot') > 0 AS known,
              argMaxIf(followers, at, type = 'account_snapshot') AS followers_now,
              toUnixTimestamp64Milli(maxIf(at, type = 'account_snapshot')) AS followers_at,
              countIf(type = 'account_snapshot' AND at <= {d7:DateTime64(3)}) > 0 AS known7,
              argMaxIf(followers, at, type = 'account_snapshot' AND at <= {d7:DateTime64(3)}) AS followers_7,
              countIf(type = 'account_snapshot' AND at <= {d30:DateTime64(3)}) > 0 AS known30,
              argMaxIf(followers, at, type = 'account_snapshot' AND at <= {d30:DateTime64(3)}) AS followers_30,
              uniqExactIf(toDate(at, {zone:String}), type = 'post' AND at > {d7:DateTime64(3)}) AS post_days7,
              uniqExactIf(toDate(at, {zone:String}), type = 'post' AND at > {d30:DateTime64(3)}) AS post_days30,
              countIf(type = 'post') > 0 AS posted,
              toUnixTimestamp64Milli(maxIf(at, type = 'post')) AS last_post
            FROM account_events
            -- (aliases differ from the columns: an alias named like a column would replace it in the aggregates after it)
            WHERE account IN {accounts:Array(String)} AND at > {from:DateTime64(3)} AND at <= {now:DateTime64(3)}
            GROUP BY platform, account`,
    query_params: {
      accounts,
      zone: timeZone,
      now: now / 1000,
      from: (now - POSTS_READ_DAYS * DAY_MS) / 1000,
      d7: (now - 7 * DAY_MS) / 1000,
      d30: (now - 30 * DAY_MS) / 1000,
    },
    format: 'JSONEachRow',
  });
  type Row = Record<'platform' | 'account', string> & Record<'known' | 'known7' | 'known30' | 'posted', number> & Record<'followers_now' | 'followers_at' | 'followers_7' | 'followers_30' | 'post_days7' | 'post_days30' | 'last_post', string | number | null>;
  for (const row of await result.json<Row>()) {
    const n = (value: string | number | null) => Number(value);
    activity.set(keyOf(row.platform, row.account), {
      followers: row.known ? n(row.followers_now) : null,
      followersAt: row.known ? n(row.followers_at) : null,
      followers7: row.known7 ? n(row.followers_7) : null,
      followers30: row.known30 ? n(row.followers_30) : null,
      postDays7: n(row.post_days7),
      postDays30: n(row.post_days30),
      lastPostAt: row.posted ? n(row.last_post) : null,
    });
  }
  return activity;
}

/** Voters of a unit: its own figure, else the sum of its children's (null when no unit below says). */
export function votersOf(index: Pick<DirectoryIndex, 'units' | 'children'>, unitId: string, memo = new Map<string, number | null>()): number | null {
  if (memo.has(unitId)) return memo.get(unitId)!;
  const own = index.units.get(unitId)?.unit.voters;
  let voters: number | null = own ?? null;
  if (own === undefined) {
    for (const child of index.children.get(unitId) ?? []) {
      const below = votersOf(index, child, memo);
      if (below !== null) voters = (voters ?? 0) + below;
    }
  }
  memo.set(unitId, voters);
  return voters;
}

const NO_ACTIVITY: AccountActivity = { followers: null, followersAt: null, followers7: null, followers30: null, postDays7: 0, postDays30: 0, lastPostAt: null };

/** The scorecard of each representative, ranked by share then followers (unknown last). Pure. */
export function scoreRepresentatives(
  representatives: readonly Representative[],
  activity: ReadonlyMap<string, AccountActivity>,
  index: Pick<DirectoryIndex, 'units' | 'children'>,
  target: number,
): Scorecard[] {
  const memo = new Map<string, number | null>();
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  const cards = representatives.map((rep): Scorecard => {
    const seen = activity.get(keyOf(rep.platform, rep.account)) ?? NO_ACTIVITY;
    const voters = votersOf(index, rep.unit, memo);
    const share = seen.followers !== null && voters ? seen.followers / voters : null;
    const growth7 = seen.followers !== null && seen.followers7 !== null ? seen.followers - seen.followers7 : null;
    const growth30 = seen.followers !== null && seen.followers30 !== null ? seen.followers - seen.followers30 : null;
    return {
      ...rep,
      unitName: index.units.get(rep.unit)?.unit.name ?? rep.unit,
      followers: seen.followers,
      followersAt: iso(seen.followersAt),
      growth7,
      growth30,
      postDays7: seen.postDays7,
      postDays30: seen.postDays30,
      lastPostAt: iso(seen.lastPostAt),
      voters,
      share,
      belowTarget: share !== null && share < target,
    };
  });
  return cards.sort((a, b) => (b.share ?? -1) - (a.share ?? -1) || (b.followers ?? -1) - (a.followers ?? -1) || a.person.localeCompare(b.person));
}

/** Per unit a representative answers for: how many, their followers, how many below target or silent 7 days. */
export function scoreUnits(cards: readonly Scorecard[]): UnitScore[] {
  const units = new Map<string, UnitScore>();
  for (const card of cards) {
    let unit = units.get(card.unit);
    if (!unit) units.set(card.unit, (unit = { unit: card.unit, unitName: card.unitName, representatives: 0, followers: 0, belowTarget: 0, silent7: 0 }));
    unit.representatives += 1;
    unit.followers += card.followers ?? 0;
    if (card.belowTarget) unit.belowTarget += 1;
    if (card.postDays7 === 0) unit.silent7 += 1;
  }
  return [...units.values()].sort((a, b) => b.belowTarget - a.belowTarget || b.silent7 - a.silent7 || a.unitName.localeCompare(b.unitName));
}
