/**
 * Versions of rows that ReplacingMergeTree keeps the newest of: epoch microseconds, strictly growing within
 * a process, so two writes in the same millisecond (a rotation right after a sign-in) still order.
 */
export function createVersionClock(): (now?: number) => number {
  let last = 0;
  return (now = Date.now()) => (last = Math.max(last + 1, now * 1000));
}
