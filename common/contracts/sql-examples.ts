/**
 * Example queries on the SQL page: a click puts one into the editor. Each is named in both languages on the
 * board (web/src/lib/i18n/messages.ts, `sql.example.<id>`) and runs on the real engine in
 * api/sql/workbench.integration.test.ts.
 */
export interface SqlExample {
  id: 'hourly' | 'divisions' | 'istDays' | 'activity' | 'quietGroups' | 'largestGroups' | 'groupWeek';
  sql: string;
}

export const SQL_EXAMPLES: readonly SqlExample[] = [
  {
    id: 'hourly',
    sql: 'SELECT toStartOfHour(minute) AS hour, sum(messages) AS messages\nFROM rollup_minute\nWHERE minute >= now() - INTERVAL 24 HOUR\nGROUP BY hour ORDER BY hour',
  },
  {
    id: 'activity',
    sql: 'SELECT toStartOfHour(minute) AS hour, sum(messages) AS messages,\n  uniqMerge(active_groups) AS active_groups, uniqMerge(active_senders) AS active_members\nFROM rollup_minute\nWHERE minute >= now() - INTERVAL 24 HOUR\nGROUP BY hour ORDER BY hour',
  },
  {
    id: 'istDays',
    sql: "SELECT toStartOfDay(toTimeZone(minute, 'Asia/Kolkata')) AS day_ist, sum(messages) AS messages\nFROM rollup_minute\nWHERE minute >= now() - INTERVAL 7 DAY\nGROUP BY day_ist ORDER BY day_ist",
  },
  {
    id: 'divisions',
    sql: 'SELECT division, sum(messages) AS messages, sum(joins) AS joins, sum(leaves) AS leaves\nFROM rollup_day\nWHERE day >= today() - 6\nGROUP BY division ORDER BY messages DESC',
  },
  {
    id: 'quietGroups',
    // A group that never spoke has no row in group_last_message: its last message is NULL, not 1970.
    sql: "SELECT g.group_id AS group_id, g.title AS title, g.unit_id AS unit_id,\n  if(m.group_id = '', NULL, m.last_at) AS last_message_at\nFROM (SELECT group_id, title, unit_id FROM directory_groups FINAL WHERE deleted = 0) AS g\nLEFT JOIN (SELECT group_id, max(last_at) AS last_at FROM group_last_message GROUP BY group_id) AS m ON m.group_id = g.group_id\nWHERE m.group_id = '' OR m.last_at < now() - INTERVAL 7 DAY\nORDER BY last_message_at NULLS FIRST, title\nLIMIT 100",
  },
  {
    id: 'largestGroups',
    sql: 'SELECT group_id, members, admins\nFROM group_members FINAL\nORDER BY members DESC\nLIMIT 20',
  },
  {
    id: 'groupWeek',
    sql: "SELECT group_id, sum(messages) AS messages, sum(joins) AS joins,\n  nullIf(max(last_at), toDateTime64(0, 3, 'UTC')) AS last_message_at\nFROM rollup_group_day\nWHERE day >= today() - 6\nGROUP BY group_id ORDER BY messages DESC\nLIMIT 50",
  },
];
