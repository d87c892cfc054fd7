-- Message reach down the tree (the board's Reach page): where each content fingerprint (keyed at the door,
-- never the content) appeared first in each group. One row per (day, fingerprint, group) after merges,
-- fed from `events` by the view below; division and the group's unit come from the event row. Every
-- read takes min(first_at) and counts groups with uniqExact, so a replayed batch, the copy below run
-- twice, or the same group on two days never counts twice. The day (UTC, of the event) leads the key:
-- a day's messages are read from a couple of days' rows, not the whole table. Kept 90 days.
CREATE TABLE IF NOT EXISTS reach_first_seen
(
    day         Date,
    fingerprint String,
    group_id    String,
    division    SimpleAggregateFunction(any, LowCardinality(String)),
    unit        SimpleAggregateFunction(any, String),
    first_at    SimpleAggregateFunction(min, DateTime64(3, 'UTC'))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (day, fingerprint, group_id)
TTL day + INTERVAL 90 DAY
SETTINGS non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS reach_first_seen_mv TO reach_first_seen AS
SELECT toDate(at) AS day, fingerprint, group_id, division, arrayElement(unit_path, -1) AS unit, at AS first_at
FROM events
WHERE type = 'message' AND fingerprint != '';

-- Fingerprints stored before this migration (0110 on). The view already takes new ones; a row copied
-- twice is one row to every read (min, uniqExact).
INSERT INTO reach_first_seen
SELECT toDate(at), fingerprint, group_id, division, arrayElement(unit_path, -1), at
FROM events
WHERE type = 'message' AND fingerprint != '';

-- Messages an admin marked important: the share of booth groups each division must reach within
-- `within_minutes` of the message's first sighting, else an alert (rule reach-missed). The newest row
-- per fingerprint wins; removed = 1 takes the mark away.
CREATE TABLE IF NOT EXISTS reach_marks
(
    fingerprint    String,
    target_share   Float64,
    within_minutes UInt32,
    marked_by      String,
    marked_at      DateTime64(3, 'UTC'),
    removed        UInt8 DEFAULT 0,
    version        UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY fingerprint;
