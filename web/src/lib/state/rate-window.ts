/**
 * Messages per minute from a running total: how far the total moved over the last `windowMs`.
 * The total is recorded at every change (each snapshot and delta as it is applied), so the total at
 * the start of the window is known exactly, whatever the order and timing of snapshots, deltas and
 * the display's ticks. Until a full window has been watched, the server's rate of the minute or two
 * before the board opened (`seed`, taken once) stands in for the part not yet watched.
 * Plain TypeScript (no runes): test/web/rate-window.test.ts drives it with explicit times.
 */
export class RateWindow {
  readonly windowMs: number;
  /** Totals at the times they changed, oldest first; the first is at or before the window's start once one has passed. */
  #samples: { at: number; total: number }[] = [];
  #startedAt: number | null = null;
  #seed: number | null = null;
  #day = '';

  constructor(windowMs = 60_000) {
    this.windowMs = windowMs;
  }

  /** Whether a total has been recorded (before that there is no rate to show). */
  get started(): boolean {
    return this.#startedAt !== null;
  }

  /** Whether the rate at `at` stands on something: a total recorded, and the seed or a whole window watched. */
  knownAt(at: number): boolean {
    return this.#startedAt !== null && (this.#seed !== null || at - this.#startedAt >= this.windowMs);
  }

  /**
   * The server's recent rate per minute. Only the first one counts: later ones cover minutes the
   * board watched itself, and adding them would count those messages twice.
   */
  seed(perMinute: number): void {
    if (this.#seed === null) this.#seed = perMinute;
  }

  /**
   * The total as of `at`, on board day `day`. A new day's total (it starts again near 0) shifts the
   * window by the jump, so the rate keeps measuring movement across midnight. A lower total on the
   * same day is a snapshot correcting an overcount of the live deltas: it lowers the movement.
   */
  record(total: number, at: number, day = ''): void {
    const last = this.#samples.at(-1);
    if (last && day !== this.#day) {
      const jump = last.total - total;
      for (const sample of this.#samples) sample.total -= jump;
    }
    this.#day = day;
    if (this.#startedAt === null) this.#startedAt = at;
    if (last && last.total === total) return;
    this.#samples.push({ at, total });
    this.#prune(at);
  }

  /** Messages in the window ending at `at`, rounded; 0 before anything was recorded. */
  rateAt(at: number): number {
    if (this.#startedAt === null) return 0;
    this.#prune(at);
    const first = this.#samples[0]!;
    const last = this.#samples.at(-1)!;
    const watched = Math.min(1, Math.max(0, (at - this.#startedAt) / this.windowMs));
    return Math.max(0, Math.round(last.total - first.total + (1 - watched) * (this.#seed ?? 0)));
  }

  /** Drop samples wholly before the window, keeping the last one at or before its start (the total there). */
  #prune(at: number): void {
    const start = at - this.windowMs;
    while (this.#samples.length > 1 && this.#samples[1]!.at <= start) this.#samples.shift();
  }
}
