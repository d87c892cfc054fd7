-- The organisation directory: levels and categories per deployment, units (the tree) and groups.
-- Rows are versioned (ReplacingMergeTree by version); a removal is a row with deleted = 1.
-- Every import writes its rows with one version, then a row in directory_version, which running
-- processors and apis poll to reload what changed (see directory/live-directory.ts).
CREATE TABLE IF NOT EXISTS directory_settings
(
    id             UInt8,
    levels         Array(String),
    division_level String,
    categories     Array(String),
    version        UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id;

CREATE TABLE IF NOT EXISTS directory_units
(
    unit_id  String,
    name     String,
    level    LowCardinality(String),
    parent   String,
    version  UInt64,
    deleted  UInt8 DEFAULT 0
)
ENGINE = ReplacingMergeTree(version)
ORDER BY unit_id;

CREATE TABLE IF NOT EXISTS directory_groups
(
    group_id    String,
    unit_id     String,
    category    LowCardinality(String),
    title       String,
    platform    LowCardinality(String),
    target_size Nullable(UInt32),
    version     UInt64,
    deleted     UInt8 DEFAULT 0
)
ENGINE = ReplacingMergeTree(version)
ORDER BY group_id;

-- One row per import: polled (max version and count) by every running directory.
CREATE TABLE IF NOT EXISTS directory_version
(
    version UInt64,
    at      DateTime64(3, 'UTC') DEFAULT now64(3),
    kind    LowCardinality(String),
    units   UInt32,
    groups  UInt32
)
ENGINE = MergeTree
ORDER BY version;
