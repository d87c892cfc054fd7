-- Personal notifications on more channels (alerts/notify/, issue 21): WhatsApp and email contacts, quiet
-- hours, digest mode per rule, channel order, and deliveries held for later (quiet hours, the daily digest).

-- A user's contacts, encrypted (AES-256-GCM, alerts/notify/contacts-crypto.ts): never readable from the table.
-- whatsapp_digest is a keyed digest of the E.164 number, to find the user a WhatsApp reply comes from.
CREATE TABLE IF NOT EXISTS notify_contacts
(
    username        String,
    whatsapp        String,
    whatsapp_digest String,
    email           String,
    version         UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY username;

-- The rest of a user's preferences beside language (the whole row is written each time: newest wins).
ALTER TABLE notify_prefs ADD COLUMN IF NOT EXISTS time_zone String DEFAULT '';
-- 'HH:MM-HH:MM' in time_zone, or '' for none.
ALTER TABLE notify_prefs ADD COLUMN IF NOT EXISTS quiet_hours String DEFAULT '';
-- JSON {"<rule>": "immediate" | "digest"}; rules not named are immediate.
ALTER TABLE notify_prefs ADD COLUMN IF NOT EXISTS rule_modes String DEFAULT '{}';
-- Comma-separated channels in the order to try them; '' = the default order.
ALTER TABLE notify_prefs ADD COLUMN IF NOT EXISTS channel_order String DEFAULT '';

-- Deliveries waiting: kind 'held' (quiet hours: sent when they end) or 'digest' (in the next daily digest).
-- done = 1 once sent or dropped; the newest version of (kind, username, alert_id) wins.
CREATE TABLE IF NOT EXISTS notify_pending
(
    kind     LowCardinality(String),
    username String,
    alert_id String,
    change   LowCardinality(String),
    due_at   DateTime64(3, 'UTC'),
    done     UInt8 DEFAULT 0,
    version  UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (kind, username, alert_id);

