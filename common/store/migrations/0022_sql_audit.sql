-- Every query posted to the analysts' SQL endpoint: who, when, what, how it ended, rows, time.
CREATE TABLE IF NOT EXISTS sql_audit
(
    at         DateTime64(3, 'UTC'),
    username   String,
    query      String,
    outcome    LowCardinality(String),
    error      String,
    rows       UInt64,
    bytes      UInt64,
    elapsed_ms UInt32,
    query_id   String
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (at, username);
