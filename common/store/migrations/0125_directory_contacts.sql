-- The people to call: a directory contact is a person, their role and phone number (E.164), for a unit
-- (the booth pramukh, the mandal in-charge) or for one group (its admin). Versioned like the rest of the
-- directory; a removal is a row with deleted = 1. Read only by the board's scoped reads: never granted to
-- the analysts, never copied into events.
CREATE TABLE IF NOT EXISTS directory_contacts
(
    contact_id String,
    unit_id    String,
    group_id   String,
    person     String,
    role       String,
    phone      String,
    version    UInt64,
    deleted    UInt8 DEFAULT 0
)
ENGINE = ReplacingMergeTree(version)
ORDER BY contact_id;
