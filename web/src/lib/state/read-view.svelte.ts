/**
 * One read of the api as a page shows it: the latest answer, or why the latest read failed (said in the
 * viewer's language when shown). A read asked for while another runs wins: the older answer is dropped.
 */
import { apiFetch, noError, type Bearer } from '../api.ts';

export class ReadView<T> {
  answer = $state<T | null>(null);
  get error(): string {
    return this.#error();
  }
  #error = $state<() => string>(noError);
  #asked = '';
  #bearer: Bearer;

  constructor(bearer: Bearer) {
    this.#bearer = bearer;
  }

  async load(path: string): Promise<void> {
    this.#asked = path;
    const outcome = await apiFetch<T>(this.#bearer, path);
    if (path !== this.#asked) return;
    if (!outcome.ok) {
      this.#error = outcome.say;
      return;
    }
    this.#error = noError;
    this.answer = outcome.data;
  }
}
