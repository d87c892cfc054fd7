-- Signed-out tokens by their jti, kept until the token would have expired anyway.
CREATE TABLE IF NOT EXISTS revoked_tokens
(
    jti        String,
    username   String,
    expires_at DateTime64(3, 'UTC'),
    revoked_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree
ORDER BY jti
TTL toDateTime(expires_at) + INTERVAL 1 DAY;
