-- The rest of the ingest contract: a message's content fingerprint (keyed-hashed at the door, never the
-- content) and a snapshot's admins (pseudonymised like members) on `events`; the events of
-- representatives' public accounts in a table of their own, since they belong to no group and must not
-- reach the group rollups. ADD COLUMN leaves the views on `events` as they are (they name their columns).
ALTER TABLE events ADD COLUMN IF NOT EXISTS fingerprint String DEFAULT '';
ALTER TABLE events ADD COLUMN IF NOT EXISTS admin_ids Array(String) DEFAULT [];

-- One row per account event. A replayed batch writes its rows again with the same insert token, and
-- ReplacingMergeTree on (account, event_id) collapses any copy left: read with FINAL (or argMax) to
-- count each event once.
CREATE TABLE IF NOT EXISTS account_events
(
    event_id    String,
    type        LowCardinality(String),
    account     String,
    platform    LowCardinality(String),
    at          DateTime64(3, 'UTC'),
    received_at DateTime64(3, 'UTC'),
    written_at  DateTime64(3, 'UTC') DEFAULT now64(3),
    source      LowCardinality(String),
    kind        LowCardinality(String),
    followers   Nullable(UInt32)
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (account, event_id)
SETTINGS non_replicated_deduplication_window = 1000;
