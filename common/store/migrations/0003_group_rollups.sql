-- Per-hour activity per group: the base of drill-down at every level. At 100k groups a day has at
-- most 2.4 M rows; the api sums a window per group and joins the directory in memory.
CREATE TABLE IF NOT EXISTS rollup_group_hour
(
    hour      DateTime('UTC'),
    group_id  String,
    messages  SimpleAggregateFunction(sum, UInt64),
    media     SimpleAggregateFunction(sum, UInt64),
    forwarded SimpleAggregateFunction(sum, UInt64),
    joins     SimpleAggregateFunction(sum, UInt64),
    leaves    SimpleAggregateFunction(sum, UInt64),
    last_at   SimpleAggregateFunction(max, DateTime64(3, 'UTC'))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (hour, group_id)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS rollup_group_hour_mv TO rollup_group_hour AS
SELECT
    toStartOfHour(at)                                                                        AS hour,
    group_id,
    countIf(type = 'message')                                                                AS messages,
    countIf(type = 'message' AND kind IN ('image', 'video', 'audio', 'document', 'sticker')) AS media,
    countIf(type = 'message' AND forwarded)                                                  AS forwarded,
    countIf(type = 'member_joined')                                                          AS joins,
    countIf(type = 'member_left')                                                            AS leaves,
    maxIf(at, type = 'message')                                                              AS last_at
FROM events
WHERE type != 'group_snapshot'
GROUP BY hour, group_id;

-- Last message per group ever: "active in the last 24 h / 7 days" without scanning the rollup.
CREATE TABLE IF NOT EXISTS group_last_message
(
    group_id String,
    last_at  SimpleAggregateFunction(max, DateTime64(3, 'UTC'))
)
ENGINE = AggregatingMergeTree
ORDER BY group_id
SETTINGS non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS group_last_message_mv TO group_last_message AS
SELECT group_id, max(at) AS last_at
FROM events
WHERE type = 'message'
GROUP BY group_id;

-- Latest snapshot per group (members, admins): current members per group and per unit.
CREATE TABLE IF NOT EXISTS group_members
(
    group_id String,
    at       DateTime64(3, 'UTC'),
    members  UInt32,
    admins   UInt32
)
ENGINE = ReplacingMergeTree(at)
ORDER BY group_id
SETTINGS non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS group_members_mv TO group_members AS
SELECT group_id, at, assumeNotNull(members) AS members, ifNull(admins, 0) AS admins
FROM events
WHERE type = 'group_snapshot' AND members IS NOT NULL;

-- Who is in which group, as far as events tell: a join or a message says present, a leave says gone.
-- The latest event per (group, person) wins. Distinct people reached per unit are counted from here
-- (one person in several groups counts once). unit_path is the group's place when the event was written.
CREATE TABLE IF NOT EXISTS group_people
(
    group_id  String,
    person    String,
    at        DateTime64(3, 'UTC'),
    present   UInt8,
    unit_path Array(String)
)
ENGINE = ReplacingMergeTree(at)
ORDER BY (group_id, person)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS group_people_mv TO group_people AS
SELECT group_id, person, at, toUInt8(type != 'member_left') AS present, unit_path
FROM events
WHERE type IN ('message', 'member_joined', 'member_left') AND person != '';
