-- The directory's group → unit path as an api holds it in memory, one copy per directory version, so
-- drill-down sums per unit in the engine and gets one row per child unit back instead of one per
-- group (directory/group-paths.ts). An api writes a version's copy the first time it is asked for
-- and then its row in directory_group_paths_ready; until that row exists, drill-down joins in memory.
-- Two apis writing the same version leave repeated rows: readers take FINAL. Copies of versions
-- before the previous one and over 10 minutes older are dropped by partition.
CREATE TABLE IF NOT EXISTS directory_group_paths
(
    version   UInt64,
    group_id  String,
    unit_path Array(LowCardinality(String))
)
ENGINE = ReplacingMergeTree
PARTITION BY version
ORDER BY group_id;

CREATE TABLE IF NOT EXISTS directory_group_paths_ready
(
    version UInt64,
    groups  UInt64,
    at      DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = MergeTree
PARTITION BY version
ORDER BY version;
