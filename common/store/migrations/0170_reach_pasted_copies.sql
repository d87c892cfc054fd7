-- Message reach (issue 22): copies pasted down count like forwarded ones.
--
-- Copy-paste counts as sending down: the fingerprints seen in a group above booth (a unit that is some unit's
-- parent), per day. Such a message pasted, not forwarded, into a booth group later is a copy in reach_forwarded
-- (view below), so it is a candidate for the list like a forwarded one. A paste in the same insert as the first
-- upper sighting is not seen as a copy (the view reads this table as it was before the insert).
-- Both views run their IN subqueries once per insert block: the non-leaf units (directory_units) and two days
-- of reach_upper_seen (fingerprints seen above booth: small, as few groups are above booth).
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
