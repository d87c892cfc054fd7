/**
 * Generates an organisation at the field's scale: state > 8 divisions > ~50 districts >
 * ~200 assemblies > mandals > ~52,000 booths, 100,000 groups across the categories, 5 M members —
 * times `scale`. Booth-voter groups cover most booths (some are left without, as in the field);
 * office-bearer groups sit on the state, the divisions, districts, assemblies and mandals (the groups
 * central messages start from). Deterministic for a seed. Pure.
 */
import { DEFAULT_CATEGORIES, DEFAULT_LEVELS, type GroupEntry, type Unit } from '../directory/model.ts';
import { createRandom } from './random.ts';

export interface OrgOptions {
  scale: number;
  seed: number;
  /** Share of booths given a booth-voters group. */
  boothCoverage?: number;
}

export interface SimGroup extends GroupEntry {
  /** Index of the group; its people are drawn from a window of the member pool near its booth. */
  index: number;
  /** Where its members come from in the pool [poolStart, poolStart + size). */
  poolStart: number;
  size: number;
  /** Relative activity; 0 = a silent group. */
  weight: number;
}

export interface Org {
  levels: string[];
  categories: string[];
  units: Unit[];
  groups: SimGroup[];
  /** Size of the member pool (distinct people). */
  members: number;
  booths: number;
}

export const FIELD = { divisions: 8, districts: 50, assemblies: 200, booths: 52_000, groups: 100_000, members: 5_000_000 };

function spread<T>(count: number, parents: T[]): T[] {
  // Child i goes to parent floor(i * P / count): even, contiguous blocks.
  return Array.from({ length: count }, (_, i) => parents[Math.floor((i * parents.length) / count)]!);
}

export function generateOrg(options: OrgOptions): Org {
  const { scale } = options;
  const random = createRandom(options.seed);
  const root = Math.sqrt(Math.min(1, scale));
  const divisions = FIELD.divisions;
  const districts = Math.max(divisions, Math.round(FIELD.districts * root));
  const assemblies = Math.max(districts, Math.round(FIELD.assemblies * root));
  const booths = Math.max(assemblies, Math.round(FIELD.booths * scale));
  const mandals = Math.max(assemblies, Math.round(booths / 40));
  const groupCount = Math.max(booths, Math.round(FIELD.groups * scale));
  const members = Math.max(groupCount * 10, Math.round(FIELD.members * scale));

  const units: Unit[] = [{ id: 'st', name: 'State', level: 'state', parent: '' }];
  const level = (prefix: string, levelName: string, count: number, parents: string[]): string[] => {
    const ids = Array.from({ length: count }, (_, i) => `${prefix}${i + 1}`);
    const owners = spread(count, parents);
    ids.forEach((id, i) => units.push({ id, name: `${levelName[0]!.toUpperCase()}${levelName.slice(1)} ${i + 1}`, level: levelName, parent: owners[i]! }));
    return ids;
  };
  const divisionIds = level('dv', 'division', divisions, ['st']);
  const districtIds = level('ds', 'district', districts, divisionIds);
  const assemblyIds = level('as', 'assembly', assemblies, districtIds);
  const mandalIds = level('md', 'mandal', mandals, assemblyIds);
  const boothIds = level('b', 'booth', booths, mandalIds);
  // Each booth's electoral roll (the field's ~1,000 voters a booth); higher units sum their booths'.
  // (A random of its own: the rest of the organisation stays what it was for a seed.)
  const rolls = createRandom(options.seed + 101);
  for (const unit of units) if (unit.level === 'booth') unit.voters = 800 + rolls.int(600);

  const groups: SimGroup[] = [];
  const perBooth = members / booths;
  const addGroup = (unit: string, category: string, near: number) => {
    const index = groups.length;
    const size = Math.max(5, Math.round(20 + random.heavyTail(2.2) * 60));
    const silent = random.next() < 0.15;
    groups.push({
      id: `wa:sim${index}@g.us`, unit, category, title: `${category} ${unit}`, platform: 'whatsapp',
      targetSize: category === 'booth-voters' ? 250 : undefined,
      index, size, poolStart: Math.max(0, Math.min(members - size, Math.round(near - size / 2))),
      weight: silent ? 0 : random.heavyTail(1.3),
    });
  };
  // One booth-voters group on most booths...
  const coverage = options.boothCoverage ?? 0.95;
  boothIds.forEach((booth, i) => {
    if (groups.length < groupCount && random.next() < coverage) addGroup(booth, 'booth-voters', (i + 0.5) * perBooth);
  });
  // ...office-bearers on the state, divisions, districts, assemblies and mandals...
  const higher = ['st', ...divisionIds, ...districtIds, ...assemblyIds, ...mandalIds];
  const positionOf = new Map(units.map((u, i) => [u.id, i]));
  for (let i = 0; i < higher.length && groups.length < groupCount * 0.6; i++) {
    const unit = higher[i]!;
    addGroup(unit, 'office-bearers', (positionOf.get(unit)! / units.length) * members);
  }
  // ...and the rest across categories on random booths.
  const others = DEFAULT_CATEGORIES.filter((c) => c !== 'booth-voters' && c !== 'office-bearers');
  while (groups.length < groupCount) {
    const b = random.int(booths);
    addGroup(boothIds[b]!, random.pick(others), (b + 0.5) * perBooth);
  }
  return { levels: [...DEFAULT_LEVELS], categories: [...DEFAULT_CATEGORIES], units, groups, members, booths };
}

function csvField(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function unitsCsv(org: Org): string {
  return ['id,name,level,parent,voters', ...org.units.map((u) => [u.id, u.name, u.level, u.parent, u.voters === undefined ? '' : String(u.voters)].map(csvField).join(','))].join('\n') + '\n';
}

export function groupsCsv(groups: readonly GroupEntry[]): string {
  return ['id,unit,category,title,platform,target_size', ...groups.map((g) => [g.id, g.unit, g.category, g.title, g.platform, g.targetSize === undefined ? '' : String(g.targetSize)].map(csvField).join(','))].join('\n') + '\n';
}

/** Given names the simulated contacts are called by (one list, any organisation). */
const NAMES = ['Ramesh Kumar', 'Sunita Devi', 'Anil Sharma', 'Priya Meena', 'Vikram Singh', 'Kavita Jain', 'Mohan Lal', 'Rekha Verma', 'Suresh Gupta', 'Anjali Rathore'];

/** A booth's pramukh: who, and whether they are among the booth's group's people (the stream makes them join). */
export interface Pramukh {
  booth: string;
  /** Their phone number: one of the booth group's members' (personId), so the door pseudonymises it alike. */
  phone: string;
  /** The booth's group they belong to; '' when they are in none of the booth's groups. */
  group: string;
}

/**
 * Booth pramukhs as the field has them: 49 booths in 50 have one, and 48 of those 49 are in the booth's group.
 * With the 1 booth in 20 that has no voters' group, 5–10% of booths fall short of compliance.
 */
export function boothPramukhs(org: Org): Pramukh[] {
  const groupOf = new Map<string, SimGroup>();
  for (const group of org.groups) if (!groupOf.has(group.unit)) groupOf.set(group.unit, group);
  const pramukhs: Pramukh[] = [];
  org.units.forEach((unit, i) => {
    if (unit.level !== 'booth' || i % 50 === 0) return;
    const group = groupOf.get(unit.id);
    const inGroup = group !== undefined && i % 50 !== 25;
    pramukhs.push({ booth: unit.id, phone: `+${personId(group && inGroup ? group.poolStart : org.members + i)}`, group: inGroup ? group.id : '' });
  });
  return pramukhs;
}

/**
 * The people to call: the booths' pramukhs, an in-charge for every mandal, an admin for one group in three.
 * Their numbers are made up, like everything simulated.
 */
export function contactsCsv(org: Org): string {
  const rows = ['person,role,phone,unit,group'];
  let n = 0;
  const contact = (role: string, phone: string, unit: string, group: string) => {
    rows.push([NAMES[n % NAMES.length]!, role, phone, unit, group].map(csvField).join(','));
    n++;
  };
  for (const pramukh of boothPramukhs(org)) contact('booth pramukh', pramukh.phone, pramukh.booth, '');
  const others = () => `+${personId(org.members + org.units.length + n)}`;
  for (const unit of org.units) if (unit.level === 'mandal') contact('mandal in-charge', others(), unit.id, '');
  org.groups.forEach((group, i) => {
    if (i % 3 === 0) contact('group admin', others(), '', group.id);
  });
  return rows.join('\n') + '\n';
}

/** The phone-number-like id of person i of the pool (pseudonymised by ingest at the door). */
export function personId(i: number): string {
  return `91${9_000_000_000 + i}`;
}
