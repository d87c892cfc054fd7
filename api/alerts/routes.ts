/**
 * Alerts API under /api/v1/alerts (docs/openapi.yaml): list and filter, acknowledge, silences, a
 * division's groups with their life-cycle state and how long each has been silent (sortable),
 * webhook delivery failures. Every read is cut to the user's scope (access/roles.ts).
 */
import { randomUUID } from 'node:crypto';
import express, { type Response, type Router } from 'express';
import type { ClickHouseClient } from '@clickhouse/client';
import { z } from 'zod';
import { describeZodError } from '../../common/events.ts';
import type { RequireUser } from '../access/require-user.ts';
import { userLocals } from '../access/require-user.ts';
import { scopeAllows, type Scope } from '../../access/roles.ts';
import type { LiveDirectory } from '../../directory/live-directory.ts';
import { evaluate, type GroupLifecycle } from '../../alerts/evaluate.ts';
import { ALERT_RULE_NAMES, ALERT_STATES, mayReadAlert, type AlertAnswer, type AlertMessage, type AlertsAnswer } from '../../common/contracts/alerts.ts';
import { isOpen } from '../../alerts/model.ts';
import type { AlertRepository } from '../../alerts/repository.ts';
import type { AlertRules } from '../../alerts/rules.ts';
import { buildSignals, readSignals } from '../../alerts/signals.ts';
import { DAY_MS } from '../../common/time.ts';

export interface AlertsRouterDeps {
  client: ClickHouseClient;
  repository: AlertRepository;
  directory: LiveDirectory | undefined;
  rules: AlertRules;
  requireUser: RequireUser;
  /** Publish an acknowledgement so every api instance and the webhooks see it. */
  publish: (messages: AlertMessage[]) => Promise<void>;
  now: () => number;
}

const listSchema = z.object({
  division: z.string().min(1).optional(),
  unit: z.string().min(1).optional(),
  state: z.enum([...ALERT_STATES, 'open'], { errorMap: () => ({ message: `state must be one of ${[...ALERT_STATES, 'open'].join(', ')}` }) }).optional(),
  rule: z.enum(ALERT_RULE_NAMES, { errorMap: () => ({ message: `rule must be one of ${ALERT_RULE_NAMES.join(', ')}` }) }).optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
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

function badRequest(res: Response, error: z.ZodError): void {
  res.status(400).json({ error: describeZodError(error) });
}

function divisionsOf(scope: Scope, asked: string | undefined): string[] | undefined | 'forbidden' {
  if (asked) return scopeAllows(scope, asked) ? [asked] : 'forbidden';
  return scope.kind === 'all' ? undefined : scope.divisions;
}

export function createAlertsRouter(deps: AlertsRouterDeps): Router {
  const router = express.Router();
  const anyUser = deps.requireUser();
  const responders = deps.requireUser('admin', 'monitor', 'lead');

  router.get('/api/v1/alerts', anyUser, async function listAlerts(req, res) {
    const parsed = listSchema.safeParse(req.query);
    if (!parsed.success) return badRequest(res, parsed.error);
    const divisions = divisionsOf(userLocals(res).scope, parsed.data.division);
    if (divisions === 'forbidden') {
      res.status(403).json({ error: `you may not read division "${parsed.data.division}"` });
      return;
    }
    const alerts = await deps.repository.list({ ...parsed.data, divisions });
    res.json({ alerts } satisfies AlertsAnswer);
  });

  async function groupsHandler(req: express.Request, res: Response, quietOnly: boolean): Promise<void> {
    const parsed = groupsSchema.safeParse(req.query);
    if (!parsed.success) return badRequest(res, parsed.error);
    const { division, state, sort, order, minHours, limit } = parsed.data;
    if (!scopeAllows(userLocals(res).scope, division)) {
      res.status(403).json({ error: `you may not read division "${division}"` });
      return;
    }
    if (!deps.directory) {
      res.status(503).json({ error: 'the group directory is not loaded in this process' });
      return;
    }
    const now = deps.now();
    const reads = await readSignals(deps.client, deps.rules, now, true);
    const signals = buildSignals(deps.directory.index, reads, now, new Set([division]));
    const evaluation = evaluate(signals, deps.rules);
    const quiet = new Set<GroupLifecycle>(['dormant', 'dark']);
    let rows = signals.groups.map((g) => {
      const s = evaluation.groups.get(g.id)!;
      return {
        group: g.id, unit: g.unit, category: g.category, state: s.state,
        silentForHours: s.silentMs === null ? null : Math.floor(s.silentMs / 360_000) / 10,
        lastMessageAt: g.lastMessageAt !== undefined ? new Date(g.lastMessageAt).toISOString() : null,
        source: g.source ?? null,
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
      res.status(400).json({ error: 'until must be in the future' });
      return;
    }
    const { maxDays } = deps.rules.silences;
    if (parsed.data.until - now > maxDays * DAY_MS) {
      res.status(400).json({ error: `until is more than ${maxDays} days ahead: a silence lasts at most ${maxDays} days (silences.maxDays in the rules file); renew it when it ends` });
      return;
    }
    const { user, scope } = userLocals(res);
    if (!maySeeSilence(scope, parsed.data.subject)) {
      res.status(403).json({ error: `you may silence only groups and units of your divisions; "${parsed.data.subject}" is not one` });
      return;
    }
    const silence = { id: randomUUID(), ...parsed.data, createdBy: user.username, createdAt: now };
    await deps.repository.addSilence(silence, now * 1000);
    res.status(201).json({ silence });
  });

  router.delete('/api/v1/alerts/silences/:id', deps.requireUser('admin', 'monitor'), async function removeSilence(req, res) {
    const removed = await deps.repository.removeSilence(String(req.params.id), deps.now() * 1000 + 1);
    if (!removed) res.status(404).json({ error: `no active silence "${req.params.id}"` });
    else res.status(204).end();
  });

  router.get('/api/v1/alerts/deliveries', deps.requireUser('admin', 'monitor'), async function listDeliveries(req, res) {
    const failedOnly = req.query.failed === 'true';
    res.json({ deliveries: await deps.repository.deliveries({ failedOnly, limit: 500 }) });
  });

  router.get('/api/v1/alerts/:id', anyUser, async function getAlert(req, res) {
    const alert = await deps.repository.get(String(req.params.id));
    if (!alert || !mayReadAlert(userLocals(res).scope, alert)) {
      res.status(404).json({ error: `no alert "${req.params.id}"` });
      return;
    }
    res.json({ alert } satisfies AlertAnswer);
  });

  router.post('/api/v1/alerts/:id/acknowledge', responders, async function acknowledge(req, res) {
    const alert = await deps.repository.get(String(req.params.id));
    const { user, scope } = userLocals(res);
    if (!alert || !mayReadAlert(scope, alert)) {
      res.status(404).json({ error: `no alert "${req.params.id}"` });
      return;
    }
    if (!isOpen(alert)) {
      res.status(409).json({ error: 'the alert is resolved already', alert });
      return;
    }
    if (alert.state === 'acknowledged') {
      res.json({ alert } satisfies AlertAnswer);
      return;
    }
    const now = deps.now();
    await deps.repository.acknowledge(alert.id, user.username, now);
    const acknowledged = { ...alert, state: 'acknowledged' as const, acknowledgedAt: now, acknowledgedBy: user.username };
    await deps.publish([{ kind: 'alert', change: 'acknowledged', alert: acknowledged }]).catch(() => undefined);
    res.json({ alert: acknowledged } satisfies AlertAnswer);
  });

  return router;
}
