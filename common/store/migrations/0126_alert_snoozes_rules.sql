-- Snoozes (alerts/repository.ts): an open alert leaves the open list until `until`, then comes back by
-- itself. One row per change, the newest version wins; `until` in the past (or 0) ends a snooze early.
CREATE TABLE IF NOT EXISTS alert_snoozes
(
    alert_id   String,
    until      DateTime64(3, 'UTC'),
    snoozed_by String,
    snoozed_at DateTime64(3, 'UTC'),
    version    UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY alert_id;

-- The alert rules as edited on the admin screen (alerts/rules-store.ts): one row per save, the newest wins
-- over ALERT_RULES_FILE and the defaults. `rules` = '' means "back to the file" (the edit was withdrawn).
CREATE TABLE IF NOT EXISTS alert_rules_edits
(
    rules     String,
    edited_by String,
    edited_at DateTime64(3, 'UTC'),
    version   UInt64
)
ENGINE = MergeTree
ORDER BY version;
