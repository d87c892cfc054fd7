-- Raw events, one row per accepted event (no message content, pseudonymised people),
-- enriched with the group's place in the organisation when the processor wrote it.
-- The deduplication window lets a retried insert with the same insert_deduplication_token count once.
CREATE TABLE IF NOT EXISTS events
(
    event_id    String,
    type        LowCardinality(String),
    group_id    String,
    at          DateTime64(3, 'UTC'),
    received_at DateTime64(3, 'UTC'),
    written_at  DateTime64(3, 'UTC') DEFAULT now64(3),
    source      LowCardinality(String),
    person      String,
    kind        LowCardinality(String),
    forwarded   Bool,
    members     Nullable(UInt32),
    admins      Nullable(UInt32),
    title       String,
    division    LowCardinality(String),
    category    LowCardinality(String),
    unit_path   Array(String)
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (division, category, at, group_id)
SETTINGS non_replicated_deduplication_window = 1000;

-- Every stored event id, sorted for the processor's "seen before?" check (see processor/dedupe.ts).
CREATE TABLE IF NOT EXISTS event_ids
(
    group_id    String,
    event_id    String,
    received_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree
ORDER BY (group_id, event_id)
TTL toDateTime(received_at) + INTERVAL 60 DAY
SETTINGS non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS event_ids_mv TO event_ids AS
SELECT group_id, event_id, received_at FROM events;

-- Per-minute rollup per division × category: the fast path for boards and the summary API.
-- uniq is exact below 65,536 distinct values per state and a close estimate above.
CREATE TABLE IF NOT EXISTS rollup_minute
(
    minute         DateTime('UTC'),
    division       LowCardinality(String),
    category       LowCardinality(String),
    messages       SimpleAggregateFunction(sum, UInt64),
    media          SimpleAggregateFunction(sum, UInt64),
    forwarded      SimpleAggregateFunction(sum, UInt64),
    joins          SimpleAggregateFunction(sum, UInt64),
    leaves         SimpleAggregateFunction(sum, UInt64),
    active_groups  AggregateFunction(uniq, String),
    active_senders AggregateFunction(uniq, String)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(minute)
ORDER BY (division, category, minute)
SETTINGS non_replicated_deduplication_window = 1000;

-- Media kinds here must match MEDIA_KINDS in common/events.ts.
CREATE MATERIALIZED VIEW IF NOT EXISTS rollup_minute_mv TO rollup_minute AS
SELECT
    toStartOfMinute(at)                                                                      AS minute,
    division,
    category,
    countIf(type = 'message')                                                                AS messages,
    countIf(type = 'message' AND kind IN ('image', 'video', 'audio', 'document', 'sticker')) AS media,
    countIf(type = 'message' AND forwarded)                                                  AS forwarded,
    countIf(type = 'member_joined')                                                          AS joins,
    countIf(type = 'member_left')                                                            AS leaves,
    uniqStateIf(group_id, type = 'message')                                                  AS active_groups,
    uniqStateIf(person, type = 'message')                                                    AS active_senders
FROM events
GROUP BY minute, division, category;
