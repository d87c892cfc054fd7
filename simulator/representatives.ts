/**
 * The organisation's representatives and the history of their public accounts: ministers and MPs on
 * divisions, district presidents on districts, MLAs on assemblies — about 200 at the field's scale — each
 * with followers somewhere between a twentieth and half of their unit's voters, growing (or not) at their
 * own pace, and posting on some days and not others, a few not at all. Deterministic for a seed. Pure.
 */
import type { Representative } from '../directory/model.ts';
import type { Org } from './org.ts';
import { createRandom } from './random.ts';

const DAY_MS = 86_400_000;
const NAMES = ['Asha Meena', 'Vijay Singh', 'Kiran Joshi', 'Udai Lal', 'Sunita Rathore', 'Mahendra Jat', 'Rekha Gupta', 'Omprakash Saini', 'Neha Sharma', 'Bhanwar Lal'];

export interface SimRepresentative extends Representative {
  /** Followers today, their daily growth rate, and the chance of posting on a given day. */
  followers: number;
  growth: number;
  postChance: number;
}

/** How many of each role at the field's scale, and the level their unit is on. */
const ROLES = [
  { role: 'minister', level: 'division', count: 10 },
  { role: 'MP', level: 'division', count: 25 },
  { role: 'district president', level: 'district', count: 45 },
  { role: 'MLA', level: 'assembly', count: 120 },
] as const;

export function generateRepresentatives(org: Org, seed: number): SimRepresentative[] {
  const random = createRandom(seed);
  const voters = votersByUnit(org);
  const representatives: SimRepresentative[] = [];
  for (const { role, level, count } of ROLES) {
    const units = org.units.filter((u) => u.level === level);
    if (units.length === 0) continue;
    for (let i = 0; i < count; i++) {
      // Spread evenly; where a level has fewer units than the role has people, some share a unit.
      const unit = units[Math.floor((i * units.length) / count)]!;
      const index = representatives.length;
      const platform = random.next() < 0.7 ? 'x' : 'facebook';
      representatives.push({
        id: `${platform}:rep${index}`, person: `${NAMES[index % NAMES.length]} ${index}`, role, unit: unit.id, platform, account: `rep${index}`,
        followers: Math.round((voters.get(unit.id) ?? 10_000) * (0.05 + random.next() * 0.45)),
        growth: random.next() < 0.25 ? 0 : random.next() * 0.004,
        postChance: random.next() < 0.1 ? 0 : 0.15 + random.next() * 0.8,
      });
    }
  }
  return representatives;
}

/** Voters per unit: booths' own, summed up the tree. */
function votersByUnit(org: Org): Map<string, number> {
  const voters = new Map<string, number>();
  const parentOf = new Map(org.units.map((u) => [u.id, u.parent]));
  for (const unit of org.units) {
    if (unit.voters === undefined) continue;
    for (let id: string | undefined = unit.id; id; id = parentOf.get(id) || undefined) voters.set(id, (voters.get(id) ?? 0) + unit.voters);
  }
  return voters;
}

export function representativesCsv(representatives: readonly Representative[]): string {
  return ['id,person,role,unit,platform,account', ...representatives.map((r) => [r.id, r.person, r.role, r.unit, r.platform, r.account].join(','))].join('\n') + '\n';
}

/** `days` of history up to `now`: a snapshot of followers each day, and posts on the days each one posts. */
export function accountHistory(representatives: readonly SimRepresentative[], now: number, days: number, seed: number, runId: string): object[] {
  const random = createRandom(seed);
  const events: object[] = [];
  for (const rep of representatives) {
    for (let day = days; day >= 0; day--) {
      const at = now - day * DAY_MS - random.int(6 * 3_600_000);
      const followers = Math.round(rep.followers / Math.pow(1 + rep.growth, day));
      events.push({ type: 'account_snapshot', id: `${runId}-s-${rep.account}-${day}`, account: rep.account, platform: rep.platform, at: new Date(at).toISOString(), followers });
      if (random.next() >= rep.postChance) continue;
      const posts = 1 + random.int(3);
      for (let p = 0; p < posts; p++) {
        const postAt = Math.min(now, now - day * DAY_MS - random.int(12 * 3_600_000));
        events.push({ type: 'post', id: `${runId}-p-${rep.account}-${day}-${p}`, account: rep.account, platform: rep.platform, at: new Date(postAt).toISOString(), kind: random.pick(['text', 'image', 'video'] as const) });
      }
    }
  }
  return events;
}
