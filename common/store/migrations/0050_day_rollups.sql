-- Per-day rollups (UTC days) for long ranges: the summary and the drill-down read whole days here
-- and only the partial days at the edges from the per-minute / per-hour rollups (api/summary.ts,
-- directory/activity.ts). 30 days of 100k groups are ≤ 3 M rows here against ≤ 72 M per hour.
-- Same columns and the same deduplication window as the finer rollups they mirror.
CREATE TABLE IF NOT EXISTS rollup_day
(
    day            Date,
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
PARTITION BY toYYYYMM(day)
ORDER BY (division, category, day)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS rollup_group_day
(
    day       Date,
    group_id  String,
    messages  SimpleAggregateFunction(sum, UInt64),
    media     SimpleAggregateFunction(sum, UInt64),
    forwarded SimpleAggregateFunction(sum, UInt64),
    joins     SimpleAggregateFunction(sum, UInt64),
    leaves    SimpleAggregateFunction(sum, UInt64),
    last_at   SimpleAggregateFunction(max, DateTime64(3, 'UTC'))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (day, group_id)
SETTINGS non_replicated_deduplication_window = 1000;

-- History first, from the finer rollups (uniq states merge exactly: the same hashes whichever way they
-- are grouped). The views are created after the copy: run this migration with no processor writing
-- (the all-in-one process does; in a distributed upgrade, stop the processors while it runs), else
-- events written between the copy and the views would be missing from the day tables. Each copy runs
-- only into an empty table, so a migration interrupted and run again does not copy twice.
INSERT INTO rollup_day
SELECT toDate(minute) AS day, division, category, sum(messages), sum(media), sum(forwarded), sum(joins), sum(leaves),
       uniqMergeState(active_groups), uniqMergeState(active_senders)
FROM rollup_minute
WHERE (SELECT count() FROM rollup_day) = 0
GROUP BY day, division, category;

INSERT INTO rollup_group_day
SELECT toDate(hour) AS day, group_id, sum(messages), sum(media), sum(forwarded), sum(joins), sum(leaves), max(last_at)
FROM rollup_group_hour
WHERE (SELECT count() FROM rollup_group_day) = 0
GROUP BY day, group_id;

-- Media kinds here must match MEDIA_KINDS in common/events.ts (as in rollup_minute_mv).
CREATE MATERIALIZED VIEW IF NOT EXISTS rollup_day_mv TO rollup_day AS
SELECT
    toDate(at)                                                                               AS day,
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
GROUP BY day, division, category;

CREATE MATERIALIZED VIEW IF NOT EXISTS rollup_group_day_mv TO rollup_group_day AS
SELECT
    toDate(at)                                                                               AS day,
    group_id,
    countIf(type = 'message')                                                                AS messages,
    countIf(type = 'message' AND kind IN ('image', 'video', 'audio', 'document', 'sticker')) AS media,
    countIf(type = 'message' AND forwarded)                                                  AS forwarded,
    countIf(type = 'member_joined')                                                          AS joins,
    countIf(type = 'member_left')                                                            AS leaves,
    maxIf(at, type = 'message')                                                              AS last_at
FROM events
WHERE type != 'group_snapshot'
GROUP BY day, group_id;
