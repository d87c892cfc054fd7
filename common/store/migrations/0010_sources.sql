-- Registered sources (collectors posting /v1/events). Only the SHA-256 digest of a token is kept.
-- A change (revocation) is a new row with a higher version; read with FINAL so the latest row wins.
CREATE TABLE IF NOT EXISTS sources
(
    name         String,
    token_sha256 String,
    created_at   DateTime64(3, 'UTC'),
    revoked_at   Nullable(DateTime64(3, 'UTC')),
    version      UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY name;
