/**
 * Alerts API under /api/v1/alerts (docs/openapi.yaml): list and filter, acknowledge, silences, a
 * division's groups with their life-cycle state and how long each has been silent (sortable),
 * webhook delivery failures. Every read is cut to the user's scope (access/roles.ts).
 */
import { randomUUID } from 'node:crypto';
import express, { type Response, type Router } from 'express';
import type { ClickHouseClient } from '@clickhouse/client';
import { z } from 'zod';
import type { RequireUser } from '../access/require-user.ts';
import { userLocals } from '../access/require-user.ts';
import { scopeAllows, type Scope } from '../../access/roles.ts';
import type { LiveDirectory } from '../../directory/live-directory.ts';
import { evaluate, type GroupLifecycle } from '../../alerts/evaluate.ts';
import { ALERT_GROUP_BY, ALERT_LIST_STATES, ALERT_RULE_NAMES, mayReadAlert, type Alert, type AlertAnswer, type AlertGroupsAnswer, type AlertMessage, type AlertsAnswer, type BulkAnswer } from '../../common/contracts/alerts.ts';
import type { DeliverySummary } from '../../common/contracts/notify.ts';
import { isOpen } from '../../alerts/model.ts';
import type { AlertRepository } from '../../alerts/repository.ts';
import type { AlertRules } from '../../alerts/rules.ts';
import { buildSignals, readSignals } from '../../alerts/signals.ts';
import { DAY_MS, HOUR_MS } from '../../common/time.ts';
import { quietThresholdMs } from '../../alerts/quiet.ts';
import { answerError, answerInvalid } from '../errors.ts';

export interface AlertsRouterDeps {
  client: ClickHouseClient;
  repository: AlertRepository;
  directory: LiveDirectory | undefined;
  /** The rules in effect (the admin screen's edit over ALERT_RULES_FILE; alerts/rules-store.ts). */
  rules: () => Promise<AlertRules>;
  requireUser: RequireUser;
  /** Publish an acknowledgement so every api instance and the webhooks see it. */
  publish: (messages: AlertMessage[]) => Promise<void>;
  /** How far each alert's personal notifications got (alerts/notify/store.ts). */
  deliverySummaries: (alertIds: string[]) => Promise<Map<string, DeliverySummary>>;
  now: () => number;
}

const listSchema = z.object({
  division: z.string().min(1).optional(),
  unit: z.string().min(1).optional(),
  state: z.enum(ALERT_LIST_STATES, { errorMap: () => ({ message: `state must be one of ${ALERT_LIST_STATES.join(', ')}` }) }).optional(),
  rule: z.enum(ALERT_RULE_NAMES, { errorMap: () => ({ message: `rule must be one of ${ALERT_RULE_NAMES.join(', ')}` }) }).optional(),
  category: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

const groupedSchema = listSchema.omit({ limit: true, offset: true }).extend({
  by: z.enum(ALERT_GROUP_BY, { errorMap: () => ({ message: `by must be one of ${ALERT_GROUP_BY.join(', ')}` }) }).default('division'),
});

/** One request for many alerts: at most 500 ids. */
const idsSchema = z.array(z.string().min(1).max(64)).min(1, 'ids must name at least one alert').max(500, 'at most 500 ids at once');
const bulkAckSchema = z.object({ ids: idsSchema });
const snoozeSchema = z.object({
  ids: idsSchema,
  /** ISO-8601 with a zone; null ends the snooze now. */
  until: z.union([z.string().datetime({ offset: true, message: 'until must be ISO-8601 with a zone, or null to end the snooze' }).transform((t) => Date.parse(t)), z.null()]),
});

const LIFECYCLES = ['new', 'active', 'declining', 'dormant', 'dark'] as const;
const groupsSchema = z.object({
  division: z.string({ required_error: 'division is required' }).min(1, 'division is required'),
  state: z.enum(LIFECYCLES, { errorMap: () => ({ message: `state must be one of ${LIFECYCLES.join(', ')}` }) }).optional(),
  sort: z.enum(['silentFor', 'group', 'unit', 'category'], { errorMap: () => ({ message: 'sort must be one of silentFor, group, unit, category' }) }).default('silentFor'),
  order: z.enum(['asc', 'desc'], { errorMap: () => ({ message: 'order must be asc or desc' }) }).default('desc'),
  /** Quiet groups only: silent at least this many hours (default 0 = dormant or dark). */
  minHours: z.coerce.number().nonnegative().optional(),
  limit: z.coerce.number().int().min(1).max(100_000).default(1000),
});

const silenceSchema = z.object({
  subject: z.string().trim().min(1, 'subject (a group id, unit id or source name) is required').max(256),
  rule: z.union([z.enum(ALERT_RULE_NAMES), z.literal('')]).default(''),
  until: z.string().datetime({ offset: true, message: 'until must be ISO-8601 with a zone' }).transform((s) => Date.parse(s)),
  reason: z.string().max(500).default(''),
});

/** Results in the order the ids were asked in. */
function order(results: BulkAnswer['results'], ids: string[]): BulkAnswer['results'] {
  const at = new Map<string, number>();
  ids.forEach((id, i) => at.has(id) || at.set(id, i));
  return [...results].sort((a, b) => at.get(a.id)! - at.get(b.id)!);
}

function badRequest(res: Response, error: z.ZodError): void {
  answerInvalid(res, error);
}

function divisionsOf(scope: Scope, asked: string | undefined): string[] | undefined | 'forbidden' {
  if (asked) return scopeAllows(scope, asked) ? [asked] : 'forbidden';
  return scope.kind === 'all' ? undefined : scope.divisions;
}

export function createAlertsRouter(deps: AlertsRouterDeps): Router {
  const router = express.Router();
  const anyUser = deps.requireUser();
  const responders = deps.requireUser('admin', 'monitor', 'lead');

  /** A list query parsed and cut to the caller's scope; undefined once a 400 or 403 has been answered. */
  function scopedQuery<S extends z.ZodType<{ division?: string }, z.ZodTypeDef, unknown>>(schema: S, req: express.Request, res: Response): (z.output<S> & { divisions: string[] | undefined }) | undefined {
    const parsed = schema.safeParse(req.query);
    if (!parsed.success) {
      badRequest(res, parsed.error);
      return undefined;
    }
    const divisions = divisionsOf(userLocals(res).scope, parsed.data.division);
    if (divisions === 'forbidden') {
      answerError(res, 403, 'forbidden', `you may not read division "${parsed.data.division}"`);
      return undefined;
    }
    return { ...parsed.data, divisions };
  }

  router.get('/api/v1/alerts', anyUser, async function listAlerts(req, res) {
    const query = scopedQuery(listSchema, req, res);
    if (!query) return;
    const { offset, limit } = query;
    const page = await deps.repository.page(query, deps.now());
    const names: Record<string, string> = {};
    for (const a of page.alerts) for (const id of [a.unit, a.division, a.escalatedUnit]) if (id) names[id] = nameOf('unit', id);
    const delivery = Object.fromEntries(await deps.deliverySummaries(page.alerts.map((a) => a.id)));
    res.json({ alerts: page.alerts, total: page.total, offset, limit, counts: page.counts, names, delivery } satisfies AlertsAnswer);
  });

  router.get('/api/v1/alerts/grouped', anyUser, async function groupAlerts(req, res) {
    const query = scopedQuery(groupedSchema, req, res);
    if (!query) return;
    const { by } = query;
    const rows = await deps.repository.grouped(query, by, deps.now());
    const groups = new Map<string, AlertGroupsAnswer['groups'][number]>();
    for (const row of rows) {
      let group = groups.get(row.key);
      if (!group) groups.set(row.key, (group = { key: row.key, name: nameOf(by, row.key), count: 0, byRule: {} }));
      group.count += row.count;
      group.byRule[row.rule] = (group.byRule[row.rule] ?? 0) + row.count;
    }
    const sorted = [...groups.values()].sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
    res.json({ by, total: sorted.reduce((n, g) => n + g.count, 0), groups: sorted } satisfies AlertGroupsAnswer);
  });

  /** A group key as people read it: a unit's name for division and unit, else the key itself. */
  function nameOf(by: string, key: string): string {
    if (by !== 'division' && by !== 'unit') return key;
    return deps.directory?.index.units.get(key)?.unit.name ?? key;
  }

  /**
   * The ids the user may act on, each with its outcome so far: out of scope reads as not-found (as on a
   * single alert), resolved cannot be acted on.
   */
  async function actionable(ids: string[], scope: Scope, now: number): Promise<{ alerts: Map<string, Alert>; results: BulkAnswer['results'] }> {
    const found = new Map((await deps.repository.getMany([...new Set(ids)], now)).map((a) => [a.id, a]));
    const alerts = new Map<string, Alert>();
    const results: BulkAnswer['results'] = [];
    for (const id of new Set(ids)) {
      const alert = found.get(id);
      if (!alert || !mayReadAlert(scope, alert)) results.push({ id, outcome: 'not-found' });
      else if (!isOpen(alert)) results.push({ id, outcome: 'resolved' });
      else alerts.set(id, alert);
    }
    return { alerts, results };
  }

  router.post('/api/v1/alerts/acknowledge', responders, express.json({ limit: '64kb' }), async function acknowledgeMany(req, res) {
    const parsed = bulkAckSchema.safeParse(req.body);
    if (!parsed.success) return badRequest(res, parsed.error);
    const { user, scope } = userLocals(res);
    const now = deps.now();
    const { alerts, results } = await actionable(parsed.data.ids, scope, now);
    const todo = [...alerts.values()].filter((a) => a.state !== 'acknowledged');
    for (const a of alerts.values()) if (a.state === 'acknowledged') results.push({ id: a.id, outcome: 'already' });
    await deps.repository.acknowledgeMany(todo.map((a) => a.id), user.username, now);
    for (const a of todo) results.push({ id: a.id, outcome: 'done' });
    const changed = todo.map((a) => ({ kind: 'alert' as const, change: 'acknowledged' as const, alert: { ...a, state: 'acknowledged' as const, acknowledgedAt: now, acknowledgedBy: user.username, acknowledgedVia: 'board' as const, snoozedUntil: null, snoozedBy: null } }));
    if (changed.length > 0) await deps.publish(changed).catch(() => undefined);
    res.json({ results: order(results, parsed.data.ids), done: todo.length } satisfies BulkAnswer);
  });

  router.post('/api/v1/alerts/snooze', responders, express.json({ limit: '64kb' }), async function snoozeMany(req, res) {
    const parsed = snoozeSchema.safeParse(req.body);
    if (!parsed.success) return badRequest(res, parsed.error);
    const { user, scope } = userLocals(res);
    const now = deps.now();
    const until = parsed.data.until ?? now;
    if (parsed.data.until !== null && until <= now) {
      answerError(res, 400, 'invalid-request', 'until must be in the future (send null to end a snooze)', { field: 'until' });
      return;
    }
    const { maxDays } = (await deps.rules()).silences;
    if (until - now > maxDays * DAY_MS) {
      answerError(res, 400, 'invalid-request', `until is more than ${maxDays} days ahead: a snooze lasts at most ${maxDays} days (silences.maxDays in the rules)`, { field: 'until' });
      return;
    }
    const { alerts, results } = await actionable(parsed.data.ids, scope, now);
    // An acknowledged alert is out of the open list already: snoozing it changes nothing.
    const todo = [...alerts.values()].filter((a) => a.state === 'firing');
    for (const a of alerts.values()) if (a.state !== 'firing') results.push({ id: a.id, outcome: 'already' });
    await deps.repository.snooze(todo.map((a) => a.id), until, user.username, now, now * 1000);
    for (const a of todo) results.push({ id: a.id, outcome: 'done' });
    const snoozed = parsed.data.until === null ? { snoozedUntil: null, snoozedBy: null } : { snoozedUntil: until, snoozedBy: user.username };
    const changed = todo.map((a) => ({ kind: 'alert' as const, change: 'snoozed' as const, alert: { ...a, ...snoozed } }));
    if (changed.length > 0) await deps.publish(changed).catch(() => undefined);
    res.json({ results: order(results, parsed.data.ids), done: todo.length } satisfies BulkAnswer);
  });

  async function groupsHandler(req: express.Request, res: Response, quietOnly: boolean): Promise<void> {
    const parsed = groupsSchema.safeParse(req.query);
    if (!parsed.success) return badRequest(res, parsed.error);
    const { division, state, sort, order, minHours, limit } = parsed.data;
    if (!scopeAllows(userLocals(res).scope, division)) {
      answerError(res, 403, 'forbidden', `you may not read division "${division}"`);
      return;
    }
    if (!deps.directory) {
      answerError(res, 503, 'unavailable', 'the group directory is not loaded in this process');
      return;
    }
    const now = deps.now();
    const rules = await deps.rules();
    const reads = await readSignals(deps.client, rules, now, true);
    const signals = buildSignals(deps.directory.index, reads, now, new Set([division]));
    const evaluation = evaluate(signals, rules);
    const quiet = new Set<GroupLifecycle>(['dormant', 'dark']);
    let rows = signals.groups.map((g) => {
      const s = evaluation.groups.get(g.id)!;
      return {
        group: g.id, unit: g.unit, category: g.category, state: s.state,
        silentForHours: s.silentMs === null ? null : Math.floor(s.silentMs / 360_000) / 10,
        lastMessageAt: g.lastMessageAt !== undefined ? new Date(g.lastMessageAt).toISOString() : null,
        source: g.source ?? null,
        // What quiet means for this group (alerts/quiet.ts): the board writes "quiet: no message in 6 h".
        quietThresholdHours: quietThresholdMs(rules.inactivity, g.category, g.level) / HOUR_MS,
      };
    });
    if (quietOnly) rows = rows.filter((r) => quiet.has(r.state) && (minHours === undefined || (r.silentForHours ?? Infinity) >= minHours));
    if (state) rows = rows.filter((r) => r.state === state);
    const sign = order === 'asc' ? 1 : -1;
    rows.sort((a, b) => {
      if (sort === 'silentFor') return sign * ((a.silentForHours ?? Infinity) - (b.silentForHours ?? Infinity)) || a.group.localeCompare(b.group);
      return sign * a[sort].localeCompare(b[sort]) || a.group.localeCompare(b.group);
    });
    res.json({ division, asOf: new Date(now).toISOString(), total: rows.length, groups: rows.slice(0, limit) });
  }

  router.get('/api/v1/alerts/quiet-groups', anyUser, (req, res) => groupsHandler(req, res, true));
  router.get('/api/v1/alerts/groups', anyUser, (req, res) => groupsHandler(req, res, false));

  /** The division a silence's subject (a group or a unit) belongs to; undefined for a source or an unknown id. */
  function divisionOf(subject: string): string | undefined {
    return deps.directory?.index.groups.get(subject)?.division ?? deps.directory?.index.units.get(subject)?.division;
  }

  /** Central monitoring reads every silence; a lead only those on groups and units of their divisions. */
  function maySeeSilence(scope: Scope, subject: string): boolean {
    if (scope.kind === 'all') return true;
    const division = divisionOf(subject);
    return division !== undefined && scopeAllows(scope, division);
  }

  router.get('/api/v1/alerts/silences', anyUser, async function listSilences(_req, res) {
    const { scope } = userLocals(res);
    const silences = await deps.repository.activeSilences(deps.now());
    res.json({ silences: silences.filter((silence) => maySeeSilence(scope, silence.subject)) });
  });

  router.post('/api/v1/alerts/silences', responders, express.json({ limit: '16kb' }), async function addSilence(req, res) {
    const parsed = silenceSchema.safeParse(req.body);
    if (!parsed.success) return badRequest(res, parsed.error);
    const now = deps.now();
    if (parsed.data.until <= now) {
      answerError(res, 400, 'invalid-request', 'until must be in the future', { field: 'until' });
      return;
    }
    const { maxDays } = (await deps.rules()).silences;
    if (parsed.data.until - now > maxDays * DAY_MS) {
      answerError(res, 400, 'invalid-request', `until is more than ${maxDays} days ahead: a silence lasts at most ${maxDays} days (silences.maxDays in the rules file); renew it when it ends`, { field: 'until' });
      return;
    }
    const { user, scope } = userLocals(res);
    if (!maySeeSilence(scope, parsed.data.subject)) {
      answerError(res, 403, 'forbidden', `you may silence only groups and units of your divisions; "${parsed.data.subject}" is not one`);
      return;
    }
    const silence = { id: randomUUID(), ...parsed.data, createdBy: user.username, createdAt: now };
    await deps.repository.addSilence(silence, now * 1000);
    res.status(201).json({ silence });
  });

  router.delete('/api/v1/alerts/silences/:id', deps.requireUser('admin', 'monitor'), async function removeSilence(req, res) {
    const removed = await deps.repository.removeSilence(String(req.params.id), deps.now() * 1000 + 1);
    if (!removed) answerError(res, 404, 'not-found', `no active silence "${req.params.id}"`);
    else res.status(204).end();
  });

  router.get('/api/v1/alerts/deliveries', deps.requireUser('admin', 'monitor'), async function listDeliveries(req, res) {
    const failedOnly = req.query.failed === 'true';
    res.json({ deliveries: await deps.repository.deliveries({ failedOnly, limit: 500 }) });
  });

  router.get('/api/v1/alerts/:id', anyUser, async function getAlert(req, res) {
    const alert = await deps.repository.get(String(req.params.id));
    if (!alert || !mayReadAlert(userLocals(res).scope, alert)) {
      answerError(res, 404, 'not-found', `no alert "${req.params.id}"`);
      return;
    }
    res.json({ alert } satisfies AlertAnswer);
  });

  router.post('/api/v1/alerts/:id/acknowledge', responders, async function acknowledge(req, res) {
    const alert = await deps.repository.get(String(req.params.id));
    const { user, scope } = userLocals(res);
    if (!alert || !mayReadAlert(scope, alert)) {
      answerError(res, 404, 'not-found', `no alert "${req.params.id}"`);
      return;
    }
    if (!isOpen(alert)) {
      answerError(res, 409, 'conflict', 'the alert is resolved already', { alert });
      return;
    }
    if (alert.state === 'acknowledged') {
      res.json({ alert } satisfies AlertAnswer);
      return;
    }
    const now = deps.now();
    await deps.repository.acknowledge(alert.id, user.username, now);
    const acknowledged = { ...alert, state: 'acknowledged' as const, acknowledgedAt: now, acknowledgedBy: user.username, acknowledgedVia: 'board' as const };
    await deps.publish([{ kind: 'alert', change: 'acknowledged', alert: acknowledged }]).catch(() => undefined);
    res.json({ alert: acknowledged } satisfies AlertAnswer);
  });

  return router;
}
