/**
 * The event stream of a simulated day: messages on a daily curve (quiet nights, busy mornings and
 * evenings), weighted towards a few busy groups with a share that stays silent, joins and leaves,
 * and bursts when one message is forwarded across thousands of groups. A few times a day a central
 * message starts in a state or division group and is forwarded down the tree over hours: each level
 * later and less surely than the one above (booth groups miss it most), some divisions slower than
 * others; every copy carries the message's `fingerprint`, so the board's Reach page follows it.
 * Produces contract events (docs/openapi.yaml) for POST /v1/events. Pure apart from the seeded randomness.
 */
import type { MessageKind } from '../common/events.ts';
import { personId, type Org, type SimGroup } from './org.ts';
import { createRandom, type Random } from './random.ts';

export type SimEvent =
  | { type: 'message'; id: string; group: string; at: string; sender: string; kind: MessageKind; forwarded: boolean; fingerprint?: string }
  | { type: 'member_joined' | 'member_left'; id: string; group: string; at: string; member: string }
  | { type: 'group_snapshot'; id: string; group: string; at: string; members: number; admins: number; title: string };

/** Relative activity per hour of the local day (mean 1). */
export const DAILY_CURVE = (() => {
  const raw = [0.08, 0.05, 0.04, 0.04, 0.06, 0.2, 0.5, 0.9, 1.3, 1.6, 1.7, 1.5, 1.3, 1.2, 1.1, 1.1, 1.2, 1.4, 1.6, 1.9, 2.0, 1.7, 1.0, 0.4];
  const mean = raw.reduce((a, b) => a + b, 0) / raw.length;
  return raw.map((v) => v / mean);
})();

const KINDS: [MessageKind, number][] = [['text', 0.6], ['image', 0.15], ['video', 0.08], ['audio', 0.05], ['document', 0.03], ['sticker', 0.05], ['other', 0.04]];

export interface StreamOptions {
  /** Mean messages per simulated second at scale 1 (the field sees a few hundred events/s). */
  ratePerSecond: number;
  /** Forward bursts per simulated hour. */
  burstsPerHour: number;
  /** Groups reached by one burst at scale 1. */
  burstGroups: number;
  /** Central messages sent down the tree per simulated day (default 4). */
  cascadesPerDay?: number;
  /**
   * `live` (default): each copy of a central message is sent when its simulated time comes, stamped now — its
   * hours shrink by the speed. `replayed`: a central message is sent whole when it starts, stamped as it travelled
   * in real hours, starting `REPLAYED_AGO_MS` before now (a sped-up run still shows hours of spread).
   */
  cascadeTimes?: 'live' | 'replayed';
  /** Offset of the board's time zone from UTC, minutes (IST = 330). */
  utcOffsetMinutes: number;
  /** Play every tick at this local hour's share of the day (0–23) whatever the clock says; default: the simulated clock's hour. */
  atHour?: number;
  runId: string;
  seed: number;
}

export interface Tally {
  messages: number;
  forwarded: number;
  joins: number;
  leaves: number;
  snapshots: number;
  bursts: number;
  /** Central messages started, and the copies forwarded down. */
  cascades: number;
  cascadeCopies: number;
  activeGroups: Set<number>;
}

/**
 * How a central message travels down, per level below its origin: the chance a group of the level gets it
 * and the typical delay after the first sighting (minutes). Each copy's delay is that times 0.4–2.
 */
/** How long before now a replayed central message starts (its copies all lie in the past). */
export const REPLAYED_AGO_MS = 12 * 3_600_000;

export const CASCADE_LEVELS: Record<string, { chance: number; minutes: number }> = {
  division: { chance: 0.97, minutes: 6 },
  district: { chance: 0.9, minutes: 25 },
  assembly: { chance: 0.8, minutes: 50 },
  mandal: { chance: 0.7, minutes: 100 },
  booth: { chance: 0.55, minutes: 200 },
};

export interface EventStream {
  /** One snapshot per group (current members), to send first. */
  snapshots(at: number): SimEvent[];
  /** Events for `simSeconds` of simulated time ending at real time `at`. */
  tick(simTime: number, simSeconds: number, at: number): SimEvent[];
  readonly tally: Tally;
}

export function createEventStream(org: Org, scale: number, options: StreamOptions): EventStream {
  const random: Random = createRandom(options.seed);
  const talkers = org.groups.filter((g) => g.weight > 0);
  const cumulative = new Float64Array(talkers.length);
  let sum = 0;
  talkers.forEach((g, i) => {
    sum += g.weight;
    cumulative[i] = sum;
  });
  let counter = 0;
  let burstDebt = 0;
  let cascadeDebt = 0;
  const tally: Tally = { messages: 0, forwarded: 0, joins: 0, leaves: 0, snapshots: 0, bursts: 0, cascades: 0, cascadeCopies: 0, activeGroups: new Set() };
  // Each group's level and the units above it, for cascades; origins are the state's and divisions' groups.
  const unitById = new Map(org.units.map((u) => [u.id, u]));
  const pathOf = (unit: string): string[] => {
    const path: string[] = [];
    for (let at = unitById.get(unit); at; at = unitById.get(at.parent)) path.unshift(at.id);
    return path;
  };
  const placed = org.groups.map((g) => ({ group: g, level: unitById.get(g.unit)?.level ?? '', path: pathOf(g.unit) }));
  // Silent groups stay silent: they neither start nor pass on a message.
  const origins = placed.filter((p) => p.group.weight > 0 && (p.level === 'state' || p.level === 'division'));
  /** Copies of central messages still to arrive, by simulated time. */
  let pending: { simTime: number; group: SimGroup; fingerprint: string; kind: MessageKind; forwarded: boolean; at?: number }[] = [];
  const nextId = () => `sim:${options.runId}:${(counter++).toString(36)}`;

  function weightedGroup(): SimGroup {
    const target = random.next() * sum;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    return talkers[lo]!;
  }

  function kind(): MessageKind {
    let r = random.next();
    for (const [k, p] of KINDS) if ((r -= p) < 0) return k;
    return 'text';
  }

  /** Poisson-ish count with the given mean (exact mean, small variance: enough for a demo load). */
  function countFor(mean: number): number {
    const whole = Math.floor(mean);
    return whole + (random.next() < mean - whole ? 1 : 0);
  }

  function message(group: SimGroup, iso: string, forwarded: boolean, k: MessageKind): SimEvent {
    tally.messages += 1;
    if (forwarded) tally.forwarded += 1;
    tally.activeGroups.add(group.index);
    return { type: 'message', id: nextId(), group: group.id, at: iso, sender: personId(group.poolStart + random.int(group.size)), kind: k, forwarded };
  }

  /** Start a central message at `simTime`: its origin's copy now, the rest scheduled down the tree. */
  function startCascade(simTime: number, now: number): void {
    const replayed = options.cascadeTimes === 'replayed';
    const start = now - REPLAYED_AGO_MS;
    if (origins.length === 0) return;
    const origin = origins[random.int(origins.length)]!;
    const fingerprint = `sim:${options.runId}:central:${tally.cascades}`;
    const k: MessageKind = random.next() < 0.5 ? 'text' : random.next() < 0.6 ? 'video' : 'image';
    tally.cascades += 1;
    pending.push({ simTime, group: origin.group, fingerprint, kind: k, forwarded: false, ...(replayed ? { at: start } : {}) });
    // Some divisions pass messages on faster and more surely than others.
    const pace = new Map<string, number>();
    for (const p of placed) {
      if (p === origin || p.group.weight === 0 || !p.path.includes(origin.group.unit)) continue;
      const step = CASCADE_LEVELS[p.level];
      const division = p.path[1] ?? '';
      if (!step) continue;
      if (!pace.has(division)) pace.set(division, 0.6 + random.next() * 0.5);
      const keen = pace.get(division)!;
      if (random.next() >= step.chance * keen) continue;
      const delay = (step.minutes * 60_000 * (0.4 + random.next() * 1.6)) / keen;
      pending.push(replayed ? { simTime, group: p.group, fingerprint, kind: k, forwarded: true, at: start + delay } : { simTime: simTime + delay, group: p.group, fingerprint, kind: k, forwarded: true });
    }
    pending.sort((a, b) => a.simTime - b.simTime);
  }

  return {
    tally,
    snapshots(at) {
      const iso = new Date(at).toISOString();
      tally.snapshots += org.groups.length;
      return org.groups.map((g) => ({ type: 'group_snapshot', id: nextId(), group: g.id, at: iso, members: g.size, admins: 1 + (g.index % 4), title: g.title }));
    },

    tick(simTime, simSeconds, at) {
      const iso = new Date(at).toISOString();
      const hour = options.atHour ?? Math.floor(((simTime / 60_000 + options.utcOffsetMinutes) % 1440 + 1440) % 1440 / 60);
      const mean = options.ratePerSecond * scale * DAILY_CURVE[hour]! * simSeconds;
      const events: SimEvent[] = [];
      if (talkers.length === 0) return events;
      const n = countFor(mean);
      for (let i = 0; i < n; i++) {
        const group = weightedGroup();
        const r = random.next();
        if (r < 0.9) events.push(message(group, iso, random.next() < 0.08, kind()));
        else if (r < 0.96) {
          tally.joins += 1;
          // Newcomers come from anywhere in the pool: one person ends up in several groups.
          events.push({ type: 'member_joined', id: nextId(), group: group.id, at: iso, member: personId(random.int(org.members)) });
        } else {
          tally.leaves += 1;
          events.push({ type: 'member_left', id: nextId(), group: group.id, at: iso, member: personId(group.poolStart + random.int(group.size)) });
        }
      }
      cascadeDebt += ((options.cascadesPerDay ?? 4) * simSeconds) / 86_400;
      while (cascadeDebt >= 1 || (cascadeDebt > 0 && random.next() < cascadeDebt)) {
        cascadeDebt = Math.max(0, cascadeDebt - 1);
        startCascade(simTime, at);
      }
      let due = 0;
      while (due < pending.length && pending[due]!.simTime <= simTime) due += 1;
      for (const copy of pending.slice(0, due)) {
        tally.cascadeCopies += 1;
        const stamp = copy.at === undefined ? iso : new Date(Math.min(copy.at, at)).toISOString();
        events.push({ ...(message(copy.group, stamp, copy.forwarded, copy.kind) as Extract<SimEvent, { type: 'message' }>), fingerprint: copy.fingerprint });
      }
      pending = pending.slice(due);
      burstDebt += (options.burstsPerHour * simSeconds) / 3600;
      while (burstDebt >= 1 || (burstDebt > 0 && random.next() < burstDebt)) {
        burstDebt = Math.max(0, burstDebt - 1);
        tally.bursts += 1;
        const reach = Math.min(talkers.length, Math.max(20, Math.round(options.burstGroups * scale)));
        const start = random.int(talkers.length);
        const k = random.next() < 0.6 ? 'video' : 'image';
        const fingerprint = `sim:${options.runId}:burst:${tally.bursts}`;
        for (let i = 0; i < reach; i++) events.push({ ...(message(talkers[(start + i * 7919) % talkers.length]!, iso, true, k) as Extract<SimEvent, { type: 'message' }>), fingerprint });
      }
      return events;
    },
  };
}
