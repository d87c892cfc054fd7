/**
 * The board's search as a combobox holds it: what is typed, what the server found for it (GET
 * /api/v1/board/search, in natural order, cut to the user's scope), which option the arrow keys are
 * on, and how many are shown: a first page, then more on asking, up to MAX_SHOWN of each kind.
 */
import type { SearchAnswer } from '../../../../common/contracts/board.ts';
import { noError, type ApiOutcome } from '../api.ts';
import { hrefOf } from './route.svelte.ts';

/** What the server answers (common/contracts/board.ts): units and groups, each as the contract has it. */
export type Found = Pick<SearchAnswer, 'units' | 'groups'>;
export type FoundUnit = SearchAnswer['units'][number];
export type FoundGroup = SearchAnswer['groups'][number];

/** One choice of the list: a unit, a group (it opens the group's unit), or "show more". */
export type SearchOption = { kind: 'unit'; href: string; unit: FoundUnit } | { kind: 'group'; href: string; group: FoundGroup } | { kind: 'more' };

/** How many of each kind are shown: the first page, and after each "show more". */
export const PAGE_SIZES = [20, 50, 100] as const;
export const MAX_SHOWN = PAGE_SIZES[PAGE_SIZES.length - 1];
/** Fewer characters than this find nothing (the server refuses them). */
export const MIN_CHARS = 2;

export type LookUp = (q: string, limit: number) => Promise<ApiOutcome<Found>>;

export class Search {
  text = $state('');
  /** Whether the list is open (it closes on Escape, on leaving the box, on going to a result). */
  open = $state(false);
  /** The answer shown, and the text it is for. */
  found = $state<Found | null>(null);
  asked = $state('');
  /** Why the last search failed ('' when it did not), said in the viewer's language when read. */
  get error(): string {
    return this.#error();
  }
  #error = $state<() => string>(noError);
  /** Index into PAGE_SIZES. */
  page = $state(0);
  /** The option the arrow keys are on (-1: none). */
  active = $state(-1);
  /** Whether the server has more of either kind than are shown. */
  more = $state(false);

  /** How many of each kind are shown. */
  shown = $derived<number>(PAGE_SIZES[this.page]!);
  query = $derived(this.text.trim());

  options = $derived.by((): SearchOption[] => {
    if (!this.found) return [];
    return [
      ...this.found.units.map((unit) => ({ kind: 'unit' as const, href: hrefOf({ page: 'unit', unit: unit.id }), unit })),
      ...this.found.groups.map((group) => ({ kind: 'group' as const, href: hrefOf({ page: 'unit', unit: group.unit }), group })),
      ...(this.more && this.page < PAGE_SIZES.length - 1 ? [{ kind: 'more' as const }] : []),
    ];
  });

  /** More found than the largest page shows: the viewer should narrow the search. */
  capped = $derived(this.more && this.page === PAGE_SIZES.length - 1);

  #lookUp: LookUp;

  constructor(lookUp: LookUp) {
    this.#lookUp = lookUp;
  }

  /** The viewer typed: a fresh search from the first page, the list open. */
  input(text: string): void {
    this.text = text;
    this.page = 0;
    this.active = -1;
    this.open = true;
    if (this.query.length < MIN_CHARS) {
      this.found = null;
      this.#error = noError;
    }
  }

  /**
   * Ask the server for the current text and page after `delayMs` (typing on cancels it: call the
   * returned function); one more of each kind than shown is asked for, to know whether there are more.
   */
  lookUpSoon(delayMs = 250): () => void {
    const q = this.query;
    const shown = this.shown;
    if (q.length < MIN_CHARS) return () => undefined;
    let cancelled = false;
    const timer = setTimeout(async () => {
      const outcome = await this.#lookUp(q, shown + 1);
      if (cancelled) return;
      this.asked = q;
      if (!outcome.ok) {
        this.#error = outcome.say;
        return;
      }
      this.#error = noError;
      this.more = outcome.data.units.length > shown || outcome.data.groups.length > shown;
      this.found = { units: outcome.data.units.slice(0, shown), groups: outcome.data.groups.slice(0, shown) };
      if (this.active >= this.options.length) this.active = this.options.length - 1;
    }, delayMs);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }

  /** Arrow keys: the next (1) or previous (-1) option, round at the ends; the list opens if closed. */
  move(step: 1 | -1): void {
    this.open = true;
    const n = this.options.length;
    if (n === 0) return;
    this.active = this.active < 0 ? (step === 1 ? 0 : n - 1) : (this.active + step + n) % n;
  }

  /** The next page of results (the list stays open, on the same option). */
  showMore(): void {
    if (this.page < PAGE_SIZES.length - 1) this.page += 1;
  }

  close(): void {
    this.open = false;
    this.active = -1;
  }

  /** Done with this search (a result was chosen, or the page changed): empty and closed. */
  reset(): void {
    this.text = '';
    this.found = null;
    this.asked = '';
    this.#error = noError;
    this.page = 0;
    this.more = false;
    this.close();
  }
}
