/**
 * What the Reach page reads and does: the day's messages sent down (GET /api/v1/board/reach), one message's
 * drill-down (GET /api/v1/board/reach/{id}: levels, divisions, the booth groups it missed, paged) and, for
 * admins, marking it important.
 */
import type { ReachDetailAnswer, ReachImportantAnswer, ReachListAnswer } from '../../../../common/contracts/reach.ts';
import { apiFetch, noError, query, type Bearer } from '../api.ts';

export class ReachView {
  list = $state<ReachListAnswer | null>(null);
  detail = $state<ReachDetailAnswer | null>(null);
  busy = $state(false);
  get error(): string {
    return this.#error();
  }
  #error = $state<() => string>(noError);
  #bearer: Bearer;
  /** The path of the latest read asked for: an answer to an earlier one (another day, message or page) is dropped. */
  #asked = '';

  constructor(bearer: Bearer) {
    this.#bearer = bearer;
  }

  async loadList(day: string | undefined): Promise<void> {
    const path = (this.#asked = `/api/v1/board/reach${query({ day })}`);
    const outcome = await apiFetch<ReachListAnswer>(this.#bearer, path);
    if (path !== this.#asked) return;
    if (outcome.ok) this.list = outcome.data;
    this.#error = outcome.ok ? noError : outcome.say;
  }

  async loadDetail(id: string, division?: string, page = 1): Promise<void> {
    const path = (this.#asked = `/api/v1/board/reach/${encodeURIComponent(id)}${query({ division, page })}`);
    const outcome = await apiFetch<ReachDetailAnswer>(this.#bearer, path);
    if (path !== this.#asked) return;
    if (outcome.ok) this.detail = outcome.data;
    this.#error = outcome.ok ? noError : outcome.say;
  }

  /** Mark the open message important (target null: take the mark away). */
  async mark(id: string, target: { share: number; withinMinutes: number } | null): Promise<void> {
    this.busy = true;
    try {
      const init: RequestInit = target
        ? { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(target) }
        : { method: 'DELETE' };
      const outcome = await apiFetch<ReachImportantAnswer>(this.#bearer, `/api/v1/board/reach/${encodeURIComponent(id)}/important`, init);
      this.#error = outcome.ok ? noError : outcome.say;
      if (outcome.ok && this.detail) this.detail = { ...this.detail, message: { ...this.detail.message, important: outcome.data.important } };
    } finally {
      this.busy = false;
    }
  }
}
