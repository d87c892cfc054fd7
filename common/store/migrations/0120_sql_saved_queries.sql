-- Queries analysts saved by name on the SQL page (GET/POST/DELETE /api/v1/sql/saved). The key starts with the
-- username: every read and every change names the signed-in user, so one analyst never reads, overwrites or
-- deletes another's. One row per change, the newest `version` of (username, id) wins (read with FINAL);
-- a deletion is a row with deleted = 1. Their query history is read from sql_audit.
CREATE TABLE IF NOT EXISTS sql_saved_queries
(
    username String,
    id       String,
    name     String,
    query    String,
    saved_at DateTime64(3, 'UTC'),
    deleted  UInt8 DEFAULT 0,
    version  UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (username, id);
