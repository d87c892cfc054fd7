-- Which of a user's channels an alert goes to (alerts/notify/notifier.ts): 'all' set up (the default), or
-- 'first' in channel_order, the next only when one gives up.
ALTER TABLE notify_prefs ADD COLUMN IF NOT EXISTS use_channels LowCardinality(String) DEFAULT 'all';
