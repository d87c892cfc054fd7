/**
 * One simulation run: generate the organisation, import it through the api, send a snapshot of
 * every group, then play the stream in real time (sped up) through the ingest API, printing
 * progress, and return a summary of what was sent.
 */
import { randomBytes } from 'node:crypto';
import { boothPramukhs, contactsCsv, groupsCsv, generateOrg, unitsCsv, type Org } from './org.ts';
import { createSender, type SenderStats } from './sender.ts';
import { accountHistory, generateRepresentatives, representativesCsv, type SimRepresentative } from './representatives.ts';
import { createEventStream } from './stream.ts';

export interface SimulateOptions {
  url: string;
  token: string;
  /** Token for the directory import (DIRECTORY_IMPORT_TOKEN); defaults to `token`. */
  importToken?: string;
  scale: number;
  /** Simulated seconds per real second. */
  speed: number;
  /** Real seconds to run; Infinity = until stopped. */
  durationSeconds: number;
  /** Messages per simulated second at scale 1. */
  rate: number;
  burstsPerHour: number;
  /** Central messages sent down the tree per simulated day (default 4). */
  cascadesPerDay?: number;
  /** Traffic as at this IST hour of the day (0–23), whatever the clock says (a benchmark's peak); default: the clock's hour. */
  atHour?: number;
  seed: number;
  import: boolean;
  /** Progress lines go here (stderr by default); pass () => {} for silence. */
  print?: (line: string) => void;
  signal?: AbortSignal;
}

export interface Summary {
  org: { units: number; booths: number; groups: number; silentGroups: number; members: number };
  import: { unitsMs: number; groupsMs: number } | null;
  seconds: number;
  simulatedHours: number;
  sent: { messages: number; forwarded: number; joins: number; leaves: number; snapshots: number; bursts: number; cascades: number; cascadeCopies: number; groupsThatSpoke: number };
  server: SenderStats;
}

const TICK_MS = 250;

/** The server answered 401: the token it refused, `ingest` (events) or `import` (the directory). */
export class RefusedError extends Error {
  override name = 'RefusedError';
  constructor(readonly token: 'ingest' | 'import') {
    super(`the server refused the ${token} token (401)`);
  }
}

async function importOrg(options: SimulateOptions, org: Org, representatives: readonly SimRepresentative[], print: (line: string) => void): Promise<{ unitsMs: number; groupsMs: number }> {
  const call = async (path: string, method: string, body: string, type: string) => {
    const started = performance.now();
    const response = await fetch(new URL(path, options.url), { method, headers: { authorization: `Bearer ${options.importToken ?? options.token}`, 'content-type': type }, body });
    const text = await response.text();
    if (response.status === 401) throw new RefusedError('import');
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 1000)}`);
    const steps = (JSON.parse(text) as { steps?: Record<string, number> }).steps;
    if (steps) print(`  ${path}: ${Object.entries(steps).map(([k, v]) => `${k} ${v} ms`).join(', ')}`);
    return Math.round(performance.now() - started);
  };
  await call('/api/v1/directory/settings', 'PUT', JSON.stringify({ levels: org.levels, categories: org.categories }), 'application/json');
  const unitsMs = await call('/api/v1/directory/units?mode=merge', 'POST', unitsCsv(org), 'text/csv');
  print(`imported ${org.units.length} units in ${unitsMs} ms`);
  const groupsMs = await call('/api/v1/directory/groups?mode=merge', 'POST', groupsCsv(org.groups), 'text/csv');
  print(`imported ${org.groups.length} groups in ${groupsMs} ms (${Math.round(org.groups.length / (groupsMs / 1000))} groups/s)`);
  const contactsMs = await call('/api/v1/directory/contacts?mode=merge', 'POST', contactsCsv(org), 'text/csv');
  print(`imported the contacts in ${contactsMs} ms`);
  const representativesMs = await call('/api/v1/directory/representatives?mode=merge', 'POST', representativesCsv(representatives), 'text/csv');
  print(`imported ${representatives.length} representatives in ${representativesMs} ms`);
  return { unitsMs, groupsMs };
}

export async function simulate(options: SimulateOptions): Promise<Summary> {
  const print = options.print ?? ((line: string) => process.stderr.write(`${line}\n`));
  const org = generateOrg({ scale: options.scale, seed: options.seed });
  print(`organisation: ${org.units.length} units (${org.booths} booths), ${org.groups.length} groups, ${org.members} members (scale ${options.scale})`);
  const representatives = generateRepresentatives(org, options.seed + 2);
  const imported = options.import ? await importOrg(options, org, representatives, print) : null;
  const runId = randomBytes(4).toString('hex');

  const sender = createSender({ url: options.url, token: options.token });
  const stream = createEventStream(org, options.scale, {
    ratePerSecond: options.rate,
    burstsPerHour: options.burstsPerHour,
    burstGroups: 3000,
    cascadesPerDay: options.cascadesPerDay,
    // Sped up, a central message's hours would shrink to minutes: send each whole, as it travelled.
    cascadeTimes: options.speed === 1 ? 'live' : 'replayed',
    utcOffsetMinutes: 330,
    atHour: options.atHour,
    runId,
    seed: options.seed + 1,
  });
  await sender.send(stream.snapshots(Date.now()));
  // The booths' pramukhs who are in their booth's group, as members who joined it.
  const joined = boothPramukhs(org).filter((p) => p.group);
  for (let i = 0; i < joined.length; i += 1000) {
    await sender.send(joined.slice(i, i + 1000).map((p) => ({ type: 'member_joined', id: `${runId}-pramukh-${p.booth}`, group: p.group, at: new Date().toISOString(), member: p.phone })));
  }
  // The representatives' accounts: 30 days of followers and posts, as collectors would have sent them.
  const history = accountHistory(representatives, Date.now(), 30, options.seed + 3, runId);
  for (let i = 0; i < history.length; i += 1000) await sender.send(history.slice(i, i + 1000));
  print(`sent ${history.length} account events (30 days of ${representatives.length} representatives)`);
  const stopIfRefused = async () => {
    if (sender.stats.unauthorized === 0) return;
    await sender.drain();
    throw new RefusedError('ingest');
  };

  const started = Date.now();
  let simTime = started;
  let last = started;
  let lastPrint = started;
  let printedMessages = 0;
  const deadline = started + options.durationSeconds * 1000;
  while (Date.now() < deadline && !options.signal?.aborted) {
    await new Promise((resolve) => setTimeout(resolve, TICK_MS));
    const now = Date.now();
    const simSeconds = ((now - last) / 1000) * options.speed;
    last = now;
    simTime += simSeconds * 1000;
    // Backpressure: never queue more than a few batches behind a slow server.
    if (sender.inFlight < 4) await sender.send(stream.tick(simTime, simSeconds, now));
    await stopIfRefused();
    if (now - lastPrint >= 2000) {
      const t = stream.tally;
      const rate = Math.round(((t.messages - printedMessages) * 1000) / (now - lastPrint));
      printedMessages = t.messages;
      lastPrint = now;
      const simClock = new Date(simTime + 330 * 60_000).toISOString().slice(11, 16);
      print(`[${Math.round((now - started) / 1000)} s, sim ${simClock} IST] messages ${t.messages} (${rate}/s), joins ${t.joins}, leaves ${t.leaves}, bursts ${t.bursts}, accepted ${sender.stats.accepted}, rejected ${sender.stats.rejected}, retries ${sender.stats.retries}`);
    }
  }
  await sender.drain();
  await stopIfRefused();
  const t = stream.tally;
  return {
    org: { units: org.units.length, booths: org.booths, groups: org.groups.length, silentGroups: org.groups.filter((g) => g.weight === 0).length, members: org.members },
    import: imported,
    seconds: Math.round((Date.now() - started) / 100) / 10,
    simulatedHours: Math.round(((simTime - started) / 3_600_000) * 10) / 10,
    sent: { messages: t.messages, forwarded: t.forwarded, joins: t.joins, leaves: t.leaves, snapshots: t.snapshots, bursts: t.bursts, cascades: t.cascades, cascadeCopies: t.cascadeCopies, groupsThatSpoke: t.activeGroups.size },
    server: sender.stats,
  };
}
