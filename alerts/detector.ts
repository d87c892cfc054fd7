/**
 * One detector tick: read the signals and the open alerts from ClickHouse, evaluate, write the
 * changes, then publish them on the `alerts` topic; when a digest is due (and no mute window is on),
 * build one per division and publish it too. Holds no state between ticks — everything it knows is
 * rebuilt from the store — so a restart or a new runner after a rebalance neither loses nor re-fires.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from '../common/logger.ts';
import { localDayStart } from '../common/time.ts';
import type { DirectoryIndex } from '../directory/directory-index.ts';
import { readGroupTitles } from '../directory/group-titles.ts';
import { buildDigests } from './digest.ts';
import { complianceDigestsDue, type ComplianceSettings } from './compliance-digest.ts';
import { alertFrom, evaluate, plan, unitAbove, type Evaluation, type Signals } from './evaluate.ts';
import type { LeadLookup } from '../access/leads.ts';
import { alertAudience, type Alert, type AlertMessage, type Digest } from '../common/contracts/alerts.ts';
import type { AlertRepository, Silence } from './repository.ts';
import { isMuted, type AlertRules } from './rules.ts';
import type { RulesBook } from './rules-store.ts';
import { nameGroups } from './name-groups.ts';
import { openKey } from './model.ts';
import { readReachMissed } from './reach-missed.ts';
import { readRepresentativeConditions, REPRESENTATIVE_RULE, type RepresentativeSettings } from './representative-lagging.ts';
import { buildSignals, readSignals } from './signals.ts';
import { createVersionClock } from '../common/store/row-version.ts';

export interface DetectorOptions {
  client: ClickHouseClient;
  /** The live directory's index (placements, units). */
  index: () => DirectoryIndex;
  repository: AlertRepository;
  rules: AlertRules;
  /** When given, the rules in effect are read from it at each tick (admin screen edits; alerts/rules-store.ts), over `rules`. */
  book?: RulesBook;
  leads: LeadLookup;
  publish: (messages: AlertMessage[]) => Promise<void>;
  now: () => number;
  logger: Logger;
  /** Where accepted events have stopped reaching the store (pipeline-stalled); read at each tick. */
  pipeline?: () => Signals['pipeline'];
  /** The follower target and time zone of the representatives' scorecards; without it, rule representative-lagging is off. */
  representatives?: RepresentativeSettings;
  /** Group compliance's settings; without them, no compliance digest. */
  compliance?: ComplianceSettings;
}

export interface TickResult {
  fired: Alert[];
  resolved: Alert[];
  escalated: Alert[];
  digests: Digest[];
  /** Alerts open after this tick (for the alerts_open metric). */
  open: Alert[];
}

export interface Detector {
  tick(): Promise<TickResult>;
}

export function silenceCheck(silences: readonly Silence[]) {
  const bySubject = new Map<string, Set<string>>();
  for (const s of silences) {
    const rules = bySubject.get(s.subject) ?? new Set<string>();
    rules.add(s.rule);
    bySubject.set(s.subject, rules);
  }
  return (rule: string, subject: string) => {
    const rules = bySubject.get(subject);
    return rules !== undefined && (rules.has('') || rules.has(rule));
  };
}

export function createDetector(options: DetectorOptions): Detector {
  const log = options.logger.child({ component: 'alerts-detector' });
  const nextVersion = createVersionClock();

  async function digestsDue(allRules: AlertRules, signals: Signals, evaluation: Evaluation, open: Alert[], now: number): Promise<Digest[]> {
    const rules = allRules.digest;
    const last = await options.repository.lastDigestAt();
    if (last !== undefined && now - last < rules.intervalMinutes * 60_000) return [];
    if (isMuted(allRules.muteWindows, now)) return [];
    const drafts = buildDigests(signals, evaluation.groups, open, last ?? 0, rules.silentDays, now);
    if (drafts.length === 0) return [];
    const sentToday = await options.repository.digestsPerLead(localDayStart(now, rules.timeZone));
    const out: Digest[] = [];
    for (const draft of drafts) {
      const recipients = (await options.leads.leadsOf(draft.division)).filter((lead) => (sentToday.get(lead) ?? 0) < rules.dailyCapPerLead);
      if (recipients.length === 0) continue;
      for (const lead of recipients) sentToday.set(lead, (sentToday.get(lead) ?? 0) + 1);
      const digest = { ...draft, recipients };
      await options.repository.recordDigest(digest);
      out.push(digest);
    }
    return out;
  }

  /** Today's compliance digests still due, recorded as sent (none while a mute window is on). */
  async function complianceDue(rules: AlertRules, index: DirectoryIndex, now: number): Promise<Digest[]> {
    if (!options.compliance || !rules.compliance.digest || isMuted(rules.muteWindows, now)) return [];
    const due = await complianceDigestsDue(options.client, index, rules, options.compliance, await options.leads.ledUnits(), (since) => options.repository.complianceDigestsSince(since), now);
    for (const digest of due) await options.repository.recordDigest(digest);
    return due;
  }

  return {
    async tick() {
      const now = options.now();
      // One read of the leads per tick, fresh: someone made a lead a moment ago gets this tick's alerts.
      options.leads.forget();
      const rules = options.book ? (await options.book.refresh()).rules : options.rules;
      const index = options.index();
      const reads = await readSignals(options.client, rules, now, rules.sharpDrop.enabled);
      const signals: Signals = { ...buildSignals(index, reads, now), pipeline: options.pipeline?.() };
      const evaluation = evaluate(signals, rules);
      const representatives = options.representatives && rules.representatives.enabled ? await readRepresentativeConditions(options.client, index, options.representatives, rules.representatives.silentDays, now) : [];
      // Reach and posts come as events too: while accepted events wait (a stall) these rules fire nothing (what would
      // clear them may be waiting); an open one clears only on what was stored.
      const stalled = (signals.pipeline?.stalls.length ?? 0) > 0;
      for (const condition of [...(await readReachMissed(options.client, index, now)), ...representatives]) {
        const key = openKey(condition.rule, condition.subject);
        if (stalled) evaluation.blind.add(key);
        else evaluation.conditions.set(key, condition);
      }
      const [open, silences] = await Promise.all([options.repository.open(), options.repository.activeSilences(now)]);
      const todo = plan(evaluation, open, signals, rules, silenceCheck(silences));

      const fired: Alert[] = [];
      for (const condition of todo.fire) {
        const alert = alertFrom(condition, now, nextVersion(now));
        // A representative's alert goes to the leads of their own unit too (a district president's district).
        alert.recipients = await options.leads.leadsOfAny(alert.rule === REPRESENTATIVE_RULE ? [alert.unit, ...alertAudience(alert)] : alertAudience(alert));
        fired.push(alert);
      }
      nameGroups(fired, await readGroupTitles(options.client, fired.filter((a) => a.subjectKind === 'group').map((a) => a.subject)));
      const resolved = todo.resolve.map((a): Alert => ({ ...a, state: 'resolved', resolvedAt: now, version: nextVersion(now) }));
      const escalated: Alert[] = [];
      for (const a of todo.escalate) {
        const above = unitAbove(signals.units, a);
        escalated.push({ ...a, escalatedAt: now, escalatedUnit: above, escalatedTo: above ? await options.leads.leadsOf(above) : [], version: nextVersion(now) });
      }
      // Stored first: what is published is always already in the store (a lost publish loses a push, never an alert).
      await options.repository.write([...fired, ...resolved, ...escalated]);
      const digests = [...(await digestsDue(rules, signals, evaluation, [...open, ...fired], now)), ...(await complianceDue(rules, index, now))];
      const messages: AlertMessage[] = [
        ...fired.map((alert) => ({ kind: 'alert' as const, change: 'fired' as const, alert })),
        ...resolved.map((alert) => ({ kind: 'alert' as const, change: 'resolved' as const, alert })),
        ...escalated.map((alert) => ({ kind: 'alert' as const, change: 'escalated' as const, alert })),
        ...digests.map((digest) => ({ kind: 'digest' as const, digest })),
      ];
      if (messages.length > 0) await options.publish(messages);
      if (fired.length + resolved.length + escalated.length + digests.length > 0) {
        log.info({ fired: fired.length, resolved: resolved.length, escalated: escalated.length, digests: digests.length, open: open.length + fired.length - resolved.length }, 'alerts tick');
      }
      const resolvedIds = new Set(resolved.map((a) => a.id));
      return { fired, resolved, escalated, digests, open: [...open.filter((a) => !resolvedIds.has(a.id)), ...fired] };
    },
  };
}
