-- The live board's hand-over watermark (api/live/live-counts.ts). Every row of `events` carries the
-- events-topic partition and the next offset after the batch that wrote it; rollup_minute keeps, per
-- row, the highest next offset per partition of the batches in it. The api reads the counts and these
-- marks in ONE statement from ONE table, so the marks say exactly which batches its snapshot holds:
-- a processor delta marked at or below them is in the snapshot, one above them is not. (Reading the
-- marks from another table could disagree: an insert writes each view's block one after another.)
-- 0 = not written by the processor (rows from before this migration, or loaded directly).
ALTER TABLE events
    ADD COLUMN IF NOT EXISTS batch_partition UInt32 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS batch_next_offset UInt64 DEFAULT 0;

ALTER TABLE rollup_minute
    ADD COLUMN IF NOT EXISTS batch_marks SimpleAggregateFunction(maxMap, Tuple(Array(UInt32), Array(UInt64)));

-- The view of 0001 with the marks added; MODIFY QUERY swaps it in one step (no insert is missed).
-- Media kinds here must match MEDIA_KINDS in common/events.ts.
ALTER TABLE rollup_minute_mv MODIFY QUERY
SELECT
    toStartOfMinute(at)                                                                      AS minute,
    division,
    category,
    countIf(type = 'message')                                                                AS messages,
    countIf(type = 'message' AND kind IN ('image', 'video', 'audio', 'document', 'sticker')) AS media,
    countIf(type = 'message' AND forwarded)                                                  AS forwarded,
    countIf(type = 'member_joined')                                                          AS joins,
    countIf(type = 'member_left')                                                            AS leaves,
    uniqStateIf(group_id, type = 'message')                                                  AS active_groups,
    uniqStateIf(person, type = 'message')                                                    AS active_senders,
    maxMap([batch_partition], [batch_next_offset])                                           AS batch_marks
FROM events
GROUP BY minute, division, category;
