-- Group ids that name the same group: a Telegram group migrated to a supergroup gets a new chat id;
-- ingest rewrites the alias to the canonical (first known) id so the history stays under one group.
CREATE TABLE IF NOT EXISTS group_aliases
(
    alias      String,
    canonical  String,
    created_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(created_at)
ORDER BY alias;
