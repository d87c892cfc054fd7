-- Reload rollup_minute_mv from its stored definition, in the process that ran 0070's MODIFY QUERY.
-- Why: ClickHouse (26.7, as chdb 3.4 embeds it) derives the deduplication ids of a view's blocks
-- differently for a view altered in this process than for the same view loaded from disk. A batch
-- written before the engine restarts and replayed after it (the processor was killed between its
-- insert and its offset commit) was then written to rollup_minute a second time, though the raw
-- table and every other view dropped it as a duplicate. Detach + attach loads the view as a restart
-- would, so ids agree before and after one. Run with no processor writing (as 0050): an insert
-- between the two statements would skip the view.
DETACH TABLE IF EXISTS rollup_minute_mv;
ATTACH TABLE IF NOT EXISTS rollup_minute_mv;
