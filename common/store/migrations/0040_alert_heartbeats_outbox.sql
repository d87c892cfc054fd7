-- Source heartbeats (POST /v1/heartbeat): a source's last sign of life is its last heartbeat or its
-- last event, whichever is later (alerts/signals.ts). One row per heartbeat, folded to the latest.
CREATE TABLE IF NOT EXISTS source_heartbeats
(
    source  LowCardinality(String),
    beat_at SimpleAggregateFunction(max, DateTime64(3, 'UTC'))
)
ENGINE = AggregatingMergeTree
ORDER BY source;

-- Divisions an alert concerns beyond its own `division`: for source-down, every division whose
-- groups the source feeds (their leads receive it). Empty for older rows and other rules.
ALTER TABLE alerts ADD COLUMN IF NOT EXISTS divisions Array(String);

-- Webhook messages held back by a mute window, delivered when it ends (the newest version of a
-- key wins: delivered_at set = done). Both rows of a key carry its queued_at, so they expire together.
CREATE TABLE IF NOT EXISTS alert_webhook_outbox
(
    message_key  String,
    message      String,
    queued_at    DateTime64(3, 'UTC'),
    delivered_at Nullable(DateTime64(3, 'UTC')),
    version      UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY message_key
TTL toDateTime(queued_at) + INTERVAL 30 DAY;
