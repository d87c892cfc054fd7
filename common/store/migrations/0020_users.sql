-- People who sign in to the board and the APIs (not ingest sources). One row per change:
-- the newest `version` of a username wins (read with FINAL). Password hashes are scrypt with
-- their own salt and parameters (api/auth/password.ts); no plain password is ever stored.
-- `units` are the organisation units a lead may see (division ids until the directory extends them).
-- Tokens issued before `sessions_valid_after` (a password change, a disable) are refused.
CREATE TABLE IF NOT EXISTS users
(
    username             String,
    password_hash        String,
    roles                Array(LowCardinality(String)),
    units                Array(String),
    disabled             Bool DEFAULT false,
    created_at           DateTime64(3, 'UTC'),
    updated_at           DateTime64(3, 'UTC'),
    sessions_valid_after DateTime64(3, 'UTC'),
    version              UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY username;
