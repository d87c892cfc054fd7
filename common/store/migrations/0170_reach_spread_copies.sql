-- Message reach, faster and wider (issue 22).
--
-- reach_spread: a rollup of reach_first_seen per (fingerprint, division, day), kept by a view chained on that
-- table's inserts. It holds each message's first sighting (time, and the group, unit and division of it) and the
-- set of groups reached (uniqExact state). The list counts a message's groups from a few rows per division
-- instead of one row per group (a central message reaches 55,000 groups). Every column is a union, a minimum
-- or an argMin, so a row copied twice or a replayed insert changes nothing: the answers equal those of
-- reach_first_seen exactly (directory/reach.integration.test.ts).
CREATE TABLE IF NOT EXISTS reach_spread
(
    day         Date,
    fingerprint String,
    division    LowCardinality(String),
    first_at    SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
    first_place AggregateFunction(argMin, Tuple(String, String), DateTime64(3, 'UTC')),
    groups      AggregateFunction(uniqExact, String)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (fingerprint, division, day)
TTL day + INTERVAL 90 DAY;

CREATE MATERIALIZED VIEW IF NOT EXISTS reach_spread_mv TO reach_spread AS
SELECT day, fingerprint, division, min(seen) AS first_at, argMinState((group_id, unit), seen) AS first_place, uniqExactState(group_id) AS groups
FROM (SELECT day, fingerprint, division, group_id, unit, first_at AS seen FROM reach_first_seen)
GROUP BY day, fingerprint, division;

-- What reach_first_seen held before the view: copied after it exists (a row in both is one to every read).
INSERT INTO reach_spread
SELECT day, fingerprint, division, min(first_at), argMinState((group_id, unit), first_at), uniqExactState(group_id)
FROM reach_first_seen
GROUP BY day, fingerprint, division;

-- Copy-paste counts as sending down: the fingerprints seen in a group above booth (a unit that is some unit's
-- parent), per day. Such a message pasted, not forwarded, into a booth group later is a copy in reach_forwarded
-- (view below), so it is a candidate for the list like a forwarded one. A paste in the same insert as the first
-- upper sighting is not seen as a copy (the view reads this table as it was before the insert).
CREATE TABLE IF NOT EXISTS reach_upper_seen
(
    day         Date,
    fingerprint String
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (day, fingerprint)
TTL day + INTERVAL 90 DAY;

CREATE MATERIALIZED VIEW IF NOT EXISTS reach_upper_seen_mv TO reach_upper_seen AS
SELECT toDate(at) AS day, fingerprint
FROM events
WHERE type = 'message' AND fingerprint != ''
  AND arrayElement(unit_path, -1) IN (SELECT parent FROM directory_units FINAL WHERE deleted = 0);

INSERT INTO reach_upper_seen
SELECT toDate(at), fingerprint
FROM events
WHERE type = 'message' AND fingerprint != ''
  AND arrayElement(unit_path, -1) IN (SELECT parent FROM directory_units FINAL WHERE deleted = 0);

-- Pasted copies: not forwarded, in a booth group, of a fingerprint seen above booth in the last two days (UTC,
-- by the clock: a paste replayed later than that is not a copy). Counted with the forwarded ones (reach_forwarded_mv, 0140); from this migration on only.
CREATE MATERIALIZED VIEW IF NOT EXISTS reach_pasted_mv TO reach_forwarded AS
SELECT toDate(at) AS day, fingerprint, toUInt64(1) AS copies
FROM events
WHERE type = 'message' AND fingerprint != '' AND NOT forwarded
  AND arrayElement(unit_path, -1) NOT IN (SELECT parent FROM directory_units FINAL WHERE deleted = 0)
  AND fingerprint IN (SELECT fingerprint FROM reach_upper_seen WHERE day >= toDate(now()) - 2);
