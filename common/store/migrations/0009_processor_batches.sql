-- What the processor is about to write, recorded before each insert: the offsets of the batch and
-- the event keys it dropped as already stored. A batch interrupted between the raw insert and its
-- materialized views (a crash) is replayed after restart with exactly the same rows and
-- insert_deduplication_token, so every table ends up holding it once (see processor/batch-intents.ts).
CREATE TABLE IF NOT EXISTS processor_batches
(
    topic        String,
    partition    UInt32,
    first_offset UInt64,
    last_offset  UInt64,
    dropped      Array(String),
    recorded_at  DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(recorded_at)
ORDER BY (topic, partition, first_offset)
TTL toDateTime(recorded_at) + INTERVAL 7 DAY;
