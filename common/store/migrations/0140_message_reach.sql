-- Message reach down the tree (the board's Reach page): where each content fingerprint (keyed at the door,
-- never the content) appeared first in each group. One row per (fingerprint, group) and month after merges,
-- fed from `events` by the view below; division and the group's unit come from the event row. Every
-- read takes min(first_at) and counts groups once, so a replayed batch, the copy below run twice, or the
-- same group in two months never counts twice. Sorted by fingerprint: every read names its messages
-- (the list takes them from reach_forwarded below), so it reads their rows only, in key order; the day
-- (UTC, of the event) prunes months. Kept 90 days.
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
ORDER BY (fingerprint, group_id)
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

-- The day's candidates for "widest spread": fingerprints that came forwarded, with the forwarded copies per
-- (day, fingerprint). A message sent down the tree arrives forwarded everywhere but where it started, and only a
-- small share of all messages is forwarded, so the list reads this small table first and then counts the
-- groups exactly in reach_first_seen for a few hundred fingerprints (a replay the processor drops never comes
-- here; a retried insert is dropped by the deduplication window).
CREATE TABLE IF NOT EXISTS reach_forwarded
(
    day         Date,
    fingerprint String,
    copies      SimpleAggregateFunction(sum, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (day, fingerprint)
TTL day + INTERVAL 90 DAY
SETTINGS non_replicated_deduplication_window = 1000;

-- The forwarded copies stored before this migration, copied before the view exists and guarded by the target
-- being empty (copies are summed: a second copy would count them twice). An insert between the copy and the view
-- would be missed: a distributed deployment stops its processors while this migration runs (docs/architecture.md).
INSERT INTO reach_forwarded
SELECT toDate(at), fingerprint, count()
FROM events
WHERE type = 'message' AND fingerprint != '' AND forwarded AND (SELECT count() FROM reach_forwarded) = 0
GROUP BY toDate(at), fingerprint;

CREATE MATERIALIZED VIEW IF NOT EXISTS reach_forwarded_mv TO reach_forwarded AS
SELECT toDate(at) AS day, fingerprint, toUInt64(1) AS copies
FROM events
WHERE type = 'message' AND fingerprint != '' AND forwarded;

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
