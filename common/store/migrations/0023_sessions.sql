-- Sessions that outlast one sign-in token: a user's refresh session (kind `refresh`, renewed by the board and
-- rotated on every use) and a wall display's token (kind `display`, made by an admin, read-only, bound to one
-- unit or the whole board). Only a SHA-256 digest of each secret is kept. One row per change: the newest
-- `version` of an id wins (read with FINAL). Rows go a day after they expire.
CREATE TABLE IF NOT EXISTS sessions
(
    id            String,
    kind          LowCardinality(String),
    username      String,
    label         String,
    unit          String,
    secret_digest String,
    created_by    String,
    created_at    DateTime64(3, 'UTC'),
    expires_at    DateTime64(3, 'UTC'),
    revoked       Bool DEFAULT false,
    version       UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
TTL toDateTime(expires_at) + INTERVAL 1 DAY;
