-- Personal alert notifications (alerts/notify/, issue 21): the first channel is Telegram.

-- A user's chat with the bot: the newest version per user wins; unlinked = 1 ends the link.
CREATE TABLE IF NOT EXISTS notify_telegram_links
(
    username  String,
    chat_id   Int64,
    linked_at DateTime64(3, 'UTC'),
    unlinked  UInt8 DEFAULT 0,
    version   UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY username;

-- A user's language for notifications (en | hi): the newest version wins.
CREATE TABLE IF NOT EXISTS notify_prefs
(
    username String,
    language LowCardinality(String),
    version  UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY username;

-- One-time link codes (POST /api/v1/me/telegram/link): valid until expires_at, used once (notify_claims).
CREATE TABLE IF NOT EXISTS notify_link_codes
(
    code       String,
    username   String,
    created_at DateTime64(3, 'UTC'),
    expires_at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY code
TTL toDateTime(expires_at) + INTERVAL 1 DAY;

-- Claims: the first insert of a claim_key wins. Every insert carries insert_deduplication_token = claim_key,
-- so a second insert of the same key (another process, a restart) is dropped by the engine itself; the row
-- that stays names its owner. Used for "one message per alert, user and channel" and "a link code once".
-- The deduplication window is counted in inserts: 1,000,000 claims back, far beyond a day's alerts.
CREATE TABLE IF NOT EXISTS notify_claims
(
    claim_key  String,
    owner      String,
    claimed_at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY claim_key
SETTINGS non_replicated_deduplication_window = 1000000;

-- The delivery ledger: every attempt of every personal notification.
CREATE TABLE IF NOT EXISTS notify_deliveries
(
    alert_id            String,
    username            String,
    channel             LowCardinality(String),
    provider_message_id String,
    status              LowCardinality(String),
    error               String,
    attempt             UInt32,
    at                  DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY (alert_id, username, channel, at)
TTL toDateTime(at) + INTERVAL 90 DAY;

-- How an alert was acknowledged: '' (older rows) or 'board' through the api, 'telegram' from the message's button.
ALTER TABLE alert_acks ADD COLUMN IF NOT EXISTS via LowCardinality(String) DEFAULT '';
