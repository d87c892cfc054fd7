-- Replaced by event_keys (0080), which holds every id it held.
DROP TABLE IF EXISTS event_ids;
