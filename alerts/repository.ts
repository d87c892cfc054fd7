/**
 * Alerts in ClickHouse (migration 0030): alert rows (newest version wins), acknowledgements,
 * silences, webhook delivery attempts and digests. The detector rebuilds its whole state from
 * here on every tick, so restarts and rebalances neither lose nor re-fire open alerts.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { COMPLIANCE_DIGEST_PREFIX } from './compliance-digest.ts';
import { ACK_CHANNELS, type AckChannel, type Alert, type AlertGroupBy, type AlertListState, type AlertMessage, type AlertRuleName, type AlertState, type AlertStateCounts, type Digest, type SubjectKind } from '../common/contracts/alerts.ts';

interface AlertRow {
  alert_id: string;
  rule: AlertRuleName;
  subject_kind: SubjectKind;
  subject: string;
  division: string;
  divisions: string[];
  unit_id: string;
  unit_path: string[];
  category: string;
  state: 'firing' | 'resolved';
  message: string;
  details: string;
  since: string;
  fired_at: string;
  resolved_at: string | null;
  escalated_at: string | null;
  escalated_unit: string;
  recipients: string[];
  escalated_to: string[];
  version: string;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  acknowledged_via: string | null;
  snoozed_until: string | null;
  snoozed_by: string | null;
}

const ALERT_COLUMNS = `a.alert_id AS alert_id, rule, subject_kind, subject, division, divisions, unit_id, unit_path, category, state, message, details,
  toUnixTimestamp64Milli(since) AS since, toUnixTimestamp64Milli(fired_at) AS fired_at,
  toUnixTimestamp64Milli(resolved_at) AS resolved_at, toUnixTimestamp64Milli(escalated_at) AS escalated_at,
  escalated_unit, recipients, escalated_to, toString(version) AS version,
  k.ack_at AS acknowledged_at, k.ack_by AS acknowledged_by, k.ack_via AS acknowledged_via,
  if(ifNull(z.snooze_until, 0) > {now:Int64}, z.snooze_until, NULL) AS snoozed_until, if(ifNull(z.snooze_until, 0) > {now:Int64}, z.snooze_by, NULL) AS snoozed_by`;

const ACKS = `(SELECT alert_id, toUnixTimestamp64Milli(min(acknowledged_at)) AS ack_at, argMin(acknowledged_by, acknowledged_at) AS ack_by, argMin(via, acknowledged_at) AS ack_via
               FROM alert_acks GROUP BY alert_id)`;

/** The newest snooze of each alert (an `until` in the past ends it). */
const SNOOZES = `(SELECT alert_id, toUnixTimestamp64Milli(argMax(until, version)) AS snooze_until, argMax(snoozed_by, version) AS snooze_by
                  FROM alert_snoozes GROUP BY alert_id)`;

/** Alerts with their acknowledgement and snooze: every read of alerts goes through this. */
const JOINED = `alerts AS a FINAL LEFT JOIN ${ACKS} AS k ON k.alert_id = a.alert_id LEFT JOIN ${SNOOZES} AS z ON z.alert_id = a.alert_id`;

/** SQL of the list states (common/contracts/alerts.ts#ALERT_LIST_STATES); {now} is the reading time. */
const STATE_SQL: Record<AlertListState, string> = {
  open: "state != 'resolved' AND k.ack_at IS NULL AND NOT (ifNull(z.snooze_until, 0) > {now:Int64})",
  acknowledged: "state != 'resolved' AND k.ack_at IS NOT NULL",
  snoozed: "state != 'resolved' AND k.ack_at IS NULL AND ifNull(z.snooze_until, 0) > {now:Int64}",
  resolved: "state = 'resolved'",
  unresolved: "state != 'resolved'",
  firing: "state != 'resolved' AND k.ack_at IS NULL",
};

/** The hourly digests only: compliance digests (alerts/compliance-digest.ts) have their own day and no share of the cap. */
const NOT_COMPLIANCE = `NOT startsWith(digest_id, '${COMPLIANCE_DIGEST_PREFIX}')`;

const num = (v: string | number | null) => (v === null ? null : Number(v));

function fromRow(row: AlertRow): Alert {
  const acknowledgedAt = num(row.acknowledged_at);
  const resolvedAt = num(row.resolved_at);
  const state: AlertState = row.state === 'resolved' ? 'resolved' : acknowledgedAt !== null ? 'acknowledged' : 'firing';
  let details: Record<string, string | number> = {};
  try {
    details = JSON.parse(row.details) as Record<string, string | number>;
  } catch {
    details = {};
  }
  return {
    id: row.alert_id, rule: row.rule, subjectKind: row.subject_kind, subject: row.subject, division: row.division, divisions: row.divisions, unit: row.unit_id, unitPath: row.unit_path,
    category: row.category, state, message: row.message, details, since: Number(row.since), firedAt: Number(row.fired_at),
    acknowledgedAt, acknowledgedBy: acknowledgedAt !== null ? row.acknowledged_by : null,
    acknowledgedVia: acknowledgedAt !== null && (ACK_CHANNELS as readonly string[]).includes(row.acknowledged_via ?? '') ? (row.acknowledged_via as AckChannel) : null, resolvedAt, escalatedAt: num(row.escalated_at),
    escalatedUnit: row.escalated_unit, recipients: row.recipients, escalatedTo: row.escalated_to, version: Number(row.version),
    snoozedUntil: state === 'firing' ? num(row.snoozed_until) : null, snoozedBy: state === 'firing' && row.snoozed_until !== null ? row.snoozed_by : null,
  };
}

function toRow(alert: Alert): Record<string, unknown> {
  return {
    alert_id: alert.id, rule: alert.rule, subject_kind: alert.subjectKind, subject: alert.subject, division: alert.division, divisions: alert.divisions,
    unit_id: alert.unit, unit_path: alert.unitPath, category: alert.category, state: alert.state === 'resolved' ? 'resolved' : 'firing', message: alert.message,
    details: JSON.stringify(alert.details), since: alert.since, fired_at: alert.firedAt, resolved_at: alert.resolvedAt,
    escalated_at: alert.escalatedAt, escalated_unit: alert.escalatedUnit, recipients: alert.recipients, escalated_to: alert.escalatedTo,
    version: alert.version,
  };
}

export interface AlertFilter {
  /** undefined = every division. */
  divisions?: string[];
  unit?: string;
  state?: AlertListState;
  rule?: AlertRuleName;
  category?: string;
  limit?: number;
  offset?: number;
}

export interface AlertPage {
  alerts: Alert[];
  total: number;
  counts: AlertStateCounts;
}

export interface Silence {
  id: string;
  subject: string;
  /** '' = every rule. */
  rule: string;
  until: number;
  reason: string;
  createdBy: string;
  createdAt: number;
}

export interface DeliveryAttempt {
  deliveryId: string;
  alertId: string;
  kind: 'alert' | 'digest';
  target: string;
  attempt: number;
  ok: boolean;
  status: number;
  error: string;
  at: number;
}

export interface AlertRepository {
  open(): Promise<Alert[]>;
  list(filter: AlertFilter): Promise<Alert[]>;
  /** One page of the filter's alerts (newest first), the true total and the counts per state. `now` decides what is snoozed. */
  page(filter: AlertFilter, now: number): Promise<AlertPage>;
  /** The filter's alerts counted per key (division, unit, rule or category) and rule. */
  grouped(filter: AlertFilter, by: AlertGroupBy, now: number): Promise<{ key: string; rule: AlertRuleName; count: number }[]>;
  get(id: string): Promise<Alert | undefined>;
  getMany(ids: readonly string[], now: number): Promise<Alert[]>;
  write(alerts: Alert[]): Promise<void>;
  /** Record an acknowledgement (the first one counts); `via` = where (default the board). */
  acknowledge(id: string, by: string, at: number, via?: AckChannel): Promise<void>;
  acknowledgeMany(ids: readonly string[], by: string, at: number): Promise<void>;
  /** Snooze until `until` (epoch ms); an `until` at or before `at` ends the snooze. */
  snooze(ids: readonly string[], until: number, by: string, at: number, version: number): Promise<void>;
  activeSilences(now: number): Promise<Silence[]>;
  addSilence(silence: Silence, version: number): Promise<void>;
  removeSilence(id: string, version: number): Promise<boolean>;
  recordDeliveries(attempts: DeliveryAttempt[]): Promise<void>;
  deliveries(options: { failedOnly: boolean; limit: number }): Promise<DeliveryAttempt[]>;
  lastDigestAt(): Promise<number | undefined>;
  /** Digests each lead got since `since` (epoch ms). */
  digestsPerLead(since: number): Promise<Map<string, number>>;
  recordDigest(digest: Digest): Promise<void>;
  /** `lead\u0000unit` of every compliance digest sent since (epoch ms). */
  complianceDigestsSince(since: number): Promise<Set<string>>;
  /** Hold a webhook message back (a mute window is on) until `deliveredDeferred` is called for its key. */
  defer(key: string, message: AlertMessage, at: number, version: number): Promise<void>;
  /** Messages held back and not delivered yet, oldest first. */
  deferred(): Promise<{ key: string; message: AlertMessage; queuedAt: number }[]>;
  /** Mark a held-back message delivered (its body is not kept). */
  deliveredDeferred(key: string, queuedAt: number, at: number, version: number): Promise<void>;
}

export function createAlertRepository(client: ClickHouseClient): AlertRepository {
  async function rows<T>(query: string, params: Record<string, unknown> = {}): Promise<T[]> {
    const result = await client.query({ query, query_params: params, format: 'JSONEachRow' });
    return result.json<T>();
  }

  async function select(where: string, params: Record<string, unknown>, limit: number, offset = 0, now = Date.now()): Promise<Alert[]> {
    const found = await rows<AlertRow>(
      `SELECT ${ALERT_COLUMNS} FROM ${JOINED}
       WHERE ${where} ORDER BY fired_at DESC, alert_id LIMIT {limit:UInt32} OFFSET {offset:UInt32}
       SETTINGS join_use_nulls = 1`,
      { ...params, limit, offset, now },
    );
    return found.map(fromRow);
  }

  /** The filter's WHERE without its state, and its parameters. */
  function whereOf(filter: AlertFilter): { where: string[]; params: Record<string, unknown> } {
    const where: string[] = ['1'];
    const params: Record<string, unknown> = {};
    if (filter.divisions) {
      // The alert's audience (model.ts#alertAudience): its division, a down source's divisions, the unit it escalated to.
      where.push('(division IN {divisions:Array(String)} OR hasAny(divisions, {divisions:Array(String)}) OR escalated_unit IN {divisions:Array(String)})');
      params.divisions = filter.divisions;
    }
    if (filter.unit) {
      // An alert is under a unit when it is about the unit, its division, or a group/unit below it (or a source feeding the division).
      where.push('(has(unit_path, {unit:String}) OR division = {unit:String} OR has(divisions, {unit:String}))');
      params.unit = filter.unit;
    }
    if (filter.rule) {
      where.push('rule = {rule:String}');
      params.rule = filter.rule;
    }
    if (filter.category) {
      where.push('category = {category:String}');
      params.category = filter.category;
    }
    return { where, params };
  }

  function listWhere(filter: AlertFilter): { where: string; params: Record<string, unknown> } {
    const { where, params } = whereOf(filter);
    if (filter.state) where.push(STATE_SQL[filter.state]);
    return { where: where.join(' AND '), params };
  }

  return {
    open() {
      return select("state != 'resolved'", {}, 1_000_000);
    },

    list(filter) {
      const { where, params } = listWhere(filter);
      return select(where, params, filter.limit ?? 500, filter.offset ?? 0);
    },

    async page(filter, now) {
      const { where, params } = listWhere(filter);
      const base = whereOf(filter);
      const [alerts, [totals]] = await Promise.all([
        select(where, params, filter.limit ?? 50, filter.offset ?? 0, now),
        rows<Record<'total' | keyof AlertStateCounts, string>>(
          `SELECT countIf(${where}) AS total,
                  countIf(${STATE_SQL.open}) AS open, countIf(${STATE_SQL.acknowledged}) AS acknowledged,
                  countIf(${STATE_SQL.snoozed}) AS snoozed, countIf(${STATE_SQL.resolved}) AS resolved
           FROM ${JOINED} WHERE ${base.where.join(' AND ')} SETTINGS join_use_nulls = 1`,
          { ...params, now },
        ),
      ]);
      return {
        alerts,
        total: Number(totals?.total ?? 0),
        counts: { open: Number(totals?.open ?? 0), acknowledged: Number(totals?.acknowledged ?? 0), snoozed: Number(totals?.snoozed ?? 0), resolved: Number(totals?.resolved ?? 0) },
      };
    },

    async grouped(filter, by, now) {
      const { where, params } = listWhere(filter);
      const key = { division: 'division', unit: 'unit_id', rule: 'rule', category: 'category' }[by];
      const found = await rows<{ key: string; rule: AlertRuleName; n: string }>(
        `SELECT toString(${key}) AS key, toString(rule) AS rule, count() AS n FROM ${JOINED} WHERE ${where}
         GROUP BY key, rule ORDER BY n DESC, key SETTINGS join_use_nulls = 1`,
        { ...params, now },
      );
      return found.map((r) => ({ key: r.key, rule: r.rule, count: Number(r.n) }));
    },

    async get(id) {
      const [alert] = await select('a.alert_id = {id:String}', { id }, 1);
      return alert;
    },

    async getMany(ids, now) {
      if (ids.length === 0) return [];
      return select('a.alert_id IN {ids:Array(String)}', { ids }, ids.length, 0, now);
    },

    async acknowledgeMany(ids, by, at) {
      if (ids.length === 0) return;
      await client.insert({ table: 'alert_acks', values: ids.map((id) => ({ alert_id: id, acknowledged_at: at, acknowledged_by: by, via: 'board' })), format: 'JSONEachRow' });
    },

    async snooze(ids, until, by, at, version) {
      if (ids.length === 0) return;
      await client.insert({ table: 'alert_snoozes', values: ids.map((id) => ({ alert_id: id, until: Math.max(until, 0), snoozed_by: by, snoozed_at: at, version })), format: 'JSONEachRow' });
    },

    async write(alerts) {
      if (alerts.length === 0) return;
      await client.insert({ table: 'alerts', values: alerts.map(toRow), format: 'JSONEachRow' });
    },

    async acknowledge(id, by, at, via = 'board') {
      await client.insert({ table: 'alert_acks', values: [{ alert_id: id, acknowledged_at: at, acknowledged_by: by, via }], format: 'JSONEachRow' });
    },

    async activeSilences(now) {
      const found = await rows<{ silence_id: string; subject: string; rule: string; until: string; reason: string; created_by: string; created_at: string }>(
        `SELECT silence_id, subject, rule, toUnixTimestamp64Milli(until) AS until, reason, created_by, toUnixTimestamp64Milli(created_at) AS created_at
         FROM alert_silences FINAL WHERE deleted = 0 AND until > fromUnixTimestamp64Milli({now:Int64}) ORDER BY created_at`,
        { now },
      );
      return found.map((r) => ({ id: r.silence_id, subject: r.subject, rule: r.rule, until: Number(r.until), reason: r.reason, createdBy: r.created_by, createdAt: Number(r.created_at) }));
    },

    async addSilence(silence, version) {
      await client.insert({
        table: 'alert_silences',
        values: [{ silence_id: silence.id, subject: silence.subject, rule: silence.rule, until: silence.until, reason: silence.reason, created_by: silence.createdBy, created_at: silence.createdAt, deleted: 0, version }],
        format: 'JSONEachRow',
      });
    },

    async removeSilence(id, version) {
      const [found] = await rows<{ n: string }>('SELECT count() AS n FROM alert_silences FINAL WHERE silence_id = {id:String} AND deleted = 0', { id });
      if (Number(found?.n ?? 0) === 0) return false;
      await client.insert({
        table: 'alert_silences',
        values: [{ silence_id: id, subject: '', rule: '', until: 0, reason: '', created_by: '', created_at: 0, deleted: 1, version }],
        format: 'JSONEachRow',
      });
      return true;
    },

    async recordDeliveries(attempts) {
      if (attempts.length === 0) return;
      await client.insert({
        table: 'alert_deliveries',
        values: attempts.map((a) => ({ delivery_id: a.deliveryId, alert_id: a.alertId, kind: a.kind, target: a.target, attempt: a.attempt, ok: a.ok ? 1 : 0, status: a.status, error: a.error, at: a.at })),
        format: 'JSONEachRow',
      });
    },

    async deliveries({ failedOnly, limit }) {
      const found = await rows<{ delivery_id: string; alert_id: string; kind: 'alert' | 'digest'; target: string; attempt: number; ok: number; status: number; error: string; at: string }>(
        `SELECT delivery_id, alert_id, kind, target, attempt, ok, status, error, toUnixTimestamp64Milli(at) AS at
         FROM alert_deliveries ${failedOnly ? 'WHERE ok = 0' : ''} ORDER BY at DESC LIMIT {limit:UInt32}`,
        { limit },
      );
      return found.map((r) => ({ deliveryId: r.delivery_id, alertId: r.alert_id, kind: r.kind, target: r.target, attempt: Number(r.attempt), ok: Number(r.ok) === 1, status: Number(r.status), error: r.error, at: Number(r.at) }));
    },

    async lastDigestAt() {
      const [found] = await rows<{ at: string | null }>(`SELECT toUnixTimestamp64Milli(max(sent_at)) AS at FROM alert_digests WHERE ${NOT_COMPLIANCE} HAVING count() > 0`);
      return found?.at ? Number(found.at) : undefined;
    },

    async digestsPerLead(since) {
      const found = await rows<{ lead: string; n: string }>(
        `SELECT arrayJoin(recipients) AS lead, count() AS n FROM alert_digests WHERE sent_at >= fromUnixTimestamp64Milli({since:Int64}) AND ${NOT_COMPLIANCE} GROUP BY lead`,
        { since },
      );
      return new Map(found.map((r) => [r.lead, Number(r.n)]));
    },

    async complianceDigestsSince(since) {
      const found = await rows<{ lead: string; unit: string }>(
        `SELECT arrayJoin(recipients) AS lead, JSONExtractString(body, 'compliance', 'unit') AS unit FROM alert_digests
         WHERE sent_at >= fromUnixTimestamp64Milli({since:Int64}) AND NOT (${NOT_COMPLIANCE})`,
        { since },
      );
      return new Set(found.map((r) => `${r.lead}\u0000${r.unit}`));
    },

    async recordDigest(digest) {
      await client.insert({
        table: 'alert_digests',
        values: [{ digest_id: digest.id, division: digest.division, recipients: digest.recipients, sent_at: digest.sentAt, body: JSON.stringify(digest) }],
        format: 'JSONEachRow',
      });
    },

    async defer(key, message, at, version) {
      await client.insert({ table: 'alert_webhook_outbox', values: [{ message_key: key, message: JSON.stringify(message), queued_at: at, delivered_at: null, version }], format: 'JSONEachRow' });
    },

    async deferred() {
      const found = await rows<{ message_key: string; message: string; queued_at: string }>(
        `SELECT message_key, message, toUnixTimestamp64Milli(queued_at) AS queued_at FROM alert_webhook_outbox FINAL
         WHERE delivered_at IS NULL ORDER BY queued_at, message_key`,
      );
      return found.map((r) => ({ key: r.message_key, message: JSON.parse(r.message) as AlertMessage, queuedAt: Number(r.queued_at) }));
    },

    async deliveredDeferred(key, queuedAt, at, version) {
      await client.insert({ table: 'alert_webhook_outbox', values: [{ message_key: key, message: '', queued_at: queuedAt, delivered_at: at, version }], format: 'JSONEachRow' });
    },
  };
}
