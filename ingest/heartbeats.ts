/**
 * Source heartbeats: a source says it is alive (POST /v1/heartbeat). The alert detector judges a
 * source by its last heartbeat or its last event, whichever is later (alerts/signals.ts#readSourceLastSeen).
 * A beat is not an event: it goes straight to ClickHouse (table source_heartbeats) and counts nothing.
 */
import type { ClickHouseClient } from '@clickhouse/client';

export async function storeHeartbeat(client: ClickHouseClient, source: string, at: number): Promise<void> {
  await client.insert({ table: 'source_heartbeats', values: [{ source, beat_at: at }], format: 'JSONEachRow' });
}
