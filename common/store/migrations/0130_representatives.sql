-- Leaders' social reach: the voters a unit counts (a representative's followers are weighed against them),
-- and the representatives whose public accounts collectors watch (account_events, 0110): a person, their
-- role (minister, MP, MLA, district president…), the unit they answer for, the platform and public account
-- id. Versioned like the rest of the directory; a removal is a row with deleted = 1.
ALTER TABLE directory_units ADD COLUMN IF NOT EXISTS voters Nullable(UInt32);

CREATE TABLE IF NOT EXISTS directory_representatives
(
    rep_id   String,
    person   String,
    role     LowCardinality(String),
    unit_id  String,
    platform LowCardinality(String),
    account  String,
    version  UInt64,
    deleted  UInt8 DEFAULT 0
)
ENGINE = ReplacingMergeTree(version)
ORDER BY rep_id;
