/** The limits of one analyst query (SQL_MAX_* in common/config.ts), enforced by ClickHouse and by the answer's writer. */
export interface SqlLimits {
  maxExecutionSeconds: number;
  maxResultRows: number;
  maxResultBytes: number;
  maxMemoryBytes: number;
}
