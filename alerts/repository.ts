/**
 * Alerts in ClickHouse (migration 0030): alert rows (newest version wins), acknowledgements,
 * silences, webhook delivery attempts and digests. The detector rebuilds its whole state from
 * here on every tick, so restarts and rebalances neither lose nor re-fire open alerts.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { Alert, AlertMessage, AlertRuleName, AlertState, Digest, SubjectKind } from '../common/contracts/alerts.ts';

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
}

const ALERT_COLUMNS = `a.alert_id AS alert_id, rule, subject_kind, subject, division, divisions, unit_id, unit_path, category, state, message, details,
  toUnixTimestamp64Milli(since) AS since, toUnixTimestamp64Milli(fired_at) AS fired_at,
  toUnixTimestamp64Milli(resolved_at) AS resolved_at, toUnixTimestamp64Milli(escalated_at) AS escalated_at,
  escalated_unit, recipients, escalated_to, toString(version) AS version,
  k.ack_at AS acknowledged_at, k.ack_by AS acknowledged_by`;

const ACKS = `(SELECT alert_id, toUnixTimestamp64Milli(min(acknowledged_at)) AS ack_at, argMin(acknowledged_by, acknowledged_at) AS ack_by
               FROM alert_acks GROUP BY alert_id)`;

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
    acknowledgedAt, acknowledgedBy: acknowledgedAt !== null ? row.acknowledged_by : null, resolvedAt, escalatedAt: num(row.escalated_at),
    escalatedUnit: row.escalated_unit, recipients: row.recipients, escalatedTo: row.escalated_to, version: Number(row.version),
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
  state?: AlertState | 'open';
  rule?: AlertRuleName;
  limit?: number;
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
  get(id: string): Promise<Alert | undefined>;
  write(alerts: Alert[]): Promise<void>;
  /** Record an acknowledgement (the first one counts). */
  acknowledge(id: string, by: string, at: number): Promise<void>;
  activeSilences(now: number): Promise<Silence[]>;
  addSilence(silence: Silence, version: number): Promise<void>;
  removeSilence(id: string, version: number): Promise<boolean>;
  recordDeliveries(attempts: DeliveryAttempt[]): Promise<void>;
  deliveries(options: { failedOnly: boolean; limit: number }): Promise<DeliveryAttempt[]>;
  lastDigestAt(): Promise<number | undefined>;
  /** Digests each lead got since `since` (epoch ms). */
  digestsPerLead(since: number): Promise<Map<string, number>>;
  recordDigest(digest: Digest): Promise<void>;
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

  async function select(where: string, params: Record<string, unknown>, limit: number): Promise<Alert[]> {
    const found = await rows<AlertRow>(
      `SELECT ${ALERT_COLUMNS} FROM alerts AS a FINAL LEFT JOIN ${ACKS} AS k ON k.alert_id = a.alert_id
       WHERE ${where} ORDER BY fired_at DESC LIMIT {limit:UInt32}
       SETTINGS join_use_nulls = 1`,
      { ...params, limit },
    );
    return found.map(fromRow);
  }

  return {
    open() {
      return select("state != 'resolved'", {}, 1_000_000);
    },

    list(filter) {
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
      if (filter.state === 'resolved') where.push("state = 'resolved'");
      else if (filter.state === 'open') where.push("state != 'resolved'");
      else if (filter.state === 'firing') where.push("state != 'resolved' AND k.ack_at IS NULL");
      else if (filter.state === 'acknowledged') where.push("state != 'resolved' AND k.ack_at IS NOT NULL");
      return select(where.join(' AND '), params, filter.limit ?? 500);
    },

    async get(id) {
      const [alert] = await select('a.alert_id = {id:String}', { id }, 1);
      return alert;
    },

    async write(alerts) {
      if (alerts.length === 0) return;
      await client.insert({ table: 'alerts', values: alerts.map(toRow), format: 'JSONEachRow' });
    },

    async acknowledge(id, by, at) {
      await client.insert({ table: 'alert_acks', values: [{ alert_id: id, acknowledged_at: at, acknowledged_by: by }], format: 'JSONEachRow' });
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
      const [found] = await rows<{ at: string | null }>('SELECT toUnixTimestamp64Milli(max(sent_at)) AS at FROM alert_digests HAVING count() > 0');
      return found?.at ? Number(found.at) : undefined;
    },

    async digestsPerLead(since) {
      const found = await rows<{ lead: string; n: string }>(
        'SELECT arrayJoin(recipients) AS lead, count() AS n FROM alert_digests WHERE sent_at >= fromUnixTimestamp64Milli({since:Int64}) GROUP BY lead',
        { since },
      );
      return new Map(found.map((r) => [r.lead, Number(r.n)]));
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
