/**
 * The representatives' scorecards of a unit as the board shows them (GET /api/v1/board/representatives),
 * for one role or all; read again every minute (collectors send snapshots and posts through the day).
 */
import type { RepresentativesAnswer } from '../../../../common/contracts/representatives.ts';
import { apiFetch, noError, query, type Bearer } from '../api.ts';

export class LeadersView {
  answer = $state<RepresentativesAnswer | null>(null);
  /** Why the last read failed ('' when it did not), said in the viewer's language when read. */
  get error(): string {
    return this.#error();
  }
  #error = $state<() => string>(noError);
  #asked = '';
  #bearer: Bearer;

  constructor(bearer: Bearer) {
    this.#bearer = bearer;
  }

  async load(unit: string, role: string): Promise<void> {
    const path = `/api/v1/board/representatives${query({ unit: unit || undefined, role: role || undefined })}`;
    this.#asked = path;
    const outcome = await apiFetch<RepresentativesAnswer>(this.#bearer, path);
    if (path !== this.#asked) return; // another unit or role was chosen meanwhile
    if (!outcome.ok) {
      this.#error = outcome.say;
      return;
    }
    this.#error = noError;
    this.answer = outcome.data;
  }
}
