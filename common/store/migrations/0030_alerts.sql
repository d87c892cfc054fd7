-- Alerts (alerts/): one row per change of an alert, the newest version wins (read with FINAL).
-- Columns here are written by the detector only; acknowledgements are kept apart (alert_acks) so a
-- person's ack and the detector's next write never overwrite each other.
CREATE TABLE IF NOT EXISTS alerts
(
    alert_id       String,
    rule           LowCardinality(String),
    subject_kind   LowCardinality(String),
    subject        String,
    division       LowCardinality(String),
    unit_id        String,
    unit_path      Array(String),
    category       LowCardinality(String),
    state          LowCardinality(String),
    message        String,
    details        String,
    since          DateTime64(3, 'UTC'),
    fired_at       DateTime64(3, 'UTC'),
    resolved_at    Nullable(DateTime64(3, 'UTC')),
    escalated_at   Nullable(DateTime64(3, 'UTC')),
    escalated_unit String,
    recipients     Array(String),
    escalated_to   Array(String),
    version        UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY alert_id;

-- Who acknowledged an alert, and when (the first acknowledgement counts).
CREATE TABLE IF NOT EXISTS alert_acks
(
    alert_id        String,
    acknowledged_at DateTime64(3, 'UTC'),
    acknowledged_by String
)
ENGINE = MergeTree
ORDER BY alert_id;

-- Known-quiet subjects: no alert fires for them (one rule, or every rule when rule = '') until `until`.
CREATE TABLE IF NOT EXISTS alert_silences
(
    silence_id String,
    subject    String,
    rule       LowCardinality(String),
    until      DateTime64(3, 'UTC'),
    reason     String,
    created_by String,
    created_at DateTime64(3, 'UTC'),
    deleted    UInt8 DEFAULT 0,
    version    UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY silence_id;

-- Every webhook delivery attempt and its outcome: failures are visible through the api.
CREATE TABLE IF NOT EXISTS alert_deliveries
(
    delivery_id String,
    alert_id    String,
    kind        LowCardinality(String),
    target      String,
    attempt     UInt32,
    ok          UInt8,
    status      UInt16,
    error       String,
    at          DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY (at, delivery_id)
TTL toDateTime(at) + INTERVAL 30 DAY;

-- Digests sent (one per division per interval): the daily cap per lead is counted from here.
CREATE TABLE IF NOT EXISTS alert_digests
(
    digest_id  String,
    division   LowCardinality(String),
    recipients Array(String),
    sent_at    DateTime64(3, 'UTC'),
    body       String
)
ENGINE = MergeTree
ORDER BY (division, sent_at);

-- Sources judged by their own traffic: the last event each source delivered.
CREATE TABLE IF NOT EXISTS source_last_seen
(
    source  LowCardinality(String),
    last_at SimpleAggregateFunction(max, DateTime64(3, 'UTC'))
)
ENGINE = AggregatingMergeTree
ORDER BY source
SETTINGS non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS source_last_seen_mv TO source_last_seen AS
SELECT source, max(received_at) AS last_at
FROM events
GROUP BY source;

-- Which source feeds each group: the source of the group's latest event.
CREATE TABLE IF NOT EXISTS group_source
(
    group_id String,
    source   LowCardinality(String),
    at       DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(at)
ORDER BY group_id
SETTINGS non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS group_source_mv TO group_source AS
SELECT group_id, argMax(source, received_at) AS source, max(received_at) AS at
FROM events
GROUP BY group_id;

-- First message per group: the "new" life-cycle state.
CREATE TABLE IF NOT EXISTS group_first_message
(
    group_id String,
    first_at SimpleAggregateFunction(min, DateTime64(3, 'UTC'))
)
ENGINE = AggregatingMergeTree
ORDER BY group_id
SETTINGS non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS group_first_message_mv TO group_first_message AS
SELECT group_id, min(at) AS first_at
FROM events
WHERE type = 'message'
GROUP BY group_id;
