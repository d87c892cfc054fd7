-- Who is in which group, lighter than group_people (0003) which it replaces: the person as a 64-bit
-- hash (the distinct count hashes anyway; a collision among 10^7 people has odds ~10^-5) and the unit
-- path as low-cardinality ids, so coverage's distinct people per unit reads and merges a fraction of
-- the bytes (directory/activity.ts#readReach). Same rule: the latest event per (group, person) wins; a
-- join or a message says present, a leave says gone; unit_path is the group's place when the event
-- was written.
CREATE TABLE IF NOT EXISTS group_presence
(
    group_id    String,
    person_hash UInt64,
    at          DateTime64(3, 'UTC'),
    present     UInt8,
    unit_path   Array(LowCardinality(String))
)
ENGINE = ReplacingMergeTree(at)
ORDER BY (group_id, person_hash)
SETTINGS non_replicated_deduplication_window = 1000;

-- The new view first, then the old one dropped, then history copied: an event written meanwhile is
-- in one of the tables or both, never neither, and a row in both is the same row (replaced on merge,
-- and readers take FINAL). Run again after an interruption, the copy only repeats rows. The old table
-- goes in 0092, once this copy is recorded as done.
CREATE MATERIALIZED VIEW IF NOT EXISTS group_presence_mv TO group_presence AS
SELECT group_id, sipHash64(person) AS person_hash, at, toUInt8(type != 'member_left') AS present, unit_path
FROM events
WHERE type IN ('message', 'member_joined', 'member_left') AND person != '';

DROP VIEW IF EXISTS group_people_mv;

INSERT INTO group_presence
SELECT group_id, sipHash64(person), at, present, unit_path
FROM group_people;
