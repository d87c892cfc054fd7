-- Records the processor set aside instead of retrying them for ever: ones that are not bus events
-- (stage 'decode') and events the engine refused to store (stage 'write', with the engine's reason).
-- `record` is the bus record as consumed: a validated, pseudonymised event, never message content.
-- Admins read them at GET /api/v1/admin/dead-letters. The window lets a retried insert count once.
CREATE TABLE IF NOT EXISTS dead_letters
(
    set_aside_at DateTime64(3, 'UTC') DEFAULT now64(3),
    topic        String,
    partition    UInt32,
    offset       UInt64,
    stage        LowCardinality(String),
    reason       String,
    group_id     String,
    event_id     String,
    record       String
)
ENGINE = MergeTree
ORDER BY set_aside_at
TTL toDateTime(set_aside_at) + INTERVAL 90 DAY
SETTINGS non_replicated_deduplication_window = 1000;

-- A digest of the event keys a batch intent covers: a replay checks it, so an intent left by records
-- that are no longer at those offsets (a topic recreated, a log reset) is never replayed over others.
ALTER TABLE processor_batches ADD COLUMN IF NOT EXISTS rows_hash String DEFAULT '';
