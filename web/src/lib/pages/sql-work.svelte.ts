/**
 * The SQL page's work, kept while the board is open (App makes one per signed-in user): the query text and
 * the last answer or failure survive leaving the page and coming back. The tables to query, the user's own
 * history and saved queries live on the server (/api/v1/sql/schema, /history, /saved) and survive a reload.
 */
import type { SavedQuery, SqlAnswer, SqlHistory, SqlPosition, SqlRefusal, SqlSchema } from '../../../../common/contracts/sql.ts';
import { SQL_EXAMPLES } from '../../../../common/contracts/sql-examples.ts';
import { apiFetch, noError, type Bearer } from '../api.ts';

/** A failed query: what kind of failure in the viewer's language (`frame`), the server's words (`text`), and where. */
export interface SqlFailure {
  frame?: () => string;
  text: () => string;
  at?: SqlPosition;
  /** The query text the position refers to. */
  sql: string;
}

export class SqlWork {
  sql = $state(SQL_EXAMPLES[0]!.sql);
  answer = $state<SqlAnswer | null>(null);
  failure = $state<SqlFailure | null>(null);
  running = $state(false);
  show = $state<'table' | 'chart'>('table');
  schema = $state<SqlSchema | null>(null);
  history = $state<SqlHistory['queries']>([]);
  saved = $state<SavedQuery[]>([]);
  /** Why the last read or save of the lists failed ('' when it did not), in the viewer's language when read. */
  get listError(): string {
    return this.#listError();
  }
  #listError = $state<() => string>(noError);

  #bearer: Bearer;

  constructor(bearer: Bearer) {
    this.#bearer = bearer;
  }

  /** The schema (once) and the user's history and saved queries. */
  async load(): Promise<void> {
    const [schema, history, saved] = await Promise.all([
      this.schema ? null : apiFetch<SqlSchema>(this.#bearer, '/api/v1/sql/schema'),
      apiFetch<SqlHistory>(this.#bearer, '/api/v1/sql/history'),
      apiFetch<{ queries: SavedQuery[] }>(this.#bearer, '/api/v1/sql/saved'),
    ]);
    if (schema?.ok) this.schema = schema.data;
    if (history.ok) this.history = history.data.queries;
    if (saved.ok) this.saved = saved.data.queries;
    const failed = [schema, history, saved].find((outcome) => outcome && !outcome.ok);
    this.#listError = failed && !failed.ok ? failed.say : noError;
  }

  async run(): Promise<void> {
    const sql = this.sql;
    if (this.running || !sql.trim()) return;
    this.running = true;
    this.failure = null;
    const outcome = await apiFetch<SqlAnswer>(this.#bearer, '/api/v1/sql', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ query: sql }) });
    this.running = false;
    if (outcome.ok) {
      this.answer = outcome.data;
    } else {
      this.answer = null;
      const detail = outcome.detail;
      const at = (outcome.body as Partial<SqlRefusal> | null)?.at;
      this.failure = { ...(outcome.sayFrame && detail !== undefined ? { frame: outcome.sayFrame, text: () => detail } : { text: outcome.say }), at, sql };
    }
    // The answer first; the history (which now has this query) after it.
    void this.#readHistory();
  }

  async #readHistory(): Promise<void> {
    const history = await apiFetch<SqlHistory>(this.#bearer, '/api/v1/sql/history');
    if (history.ok) this.history = history.data.queries;
  }

  async save(name: string): Promise<boolean> {
    const outcome = await apiFetch<SavedQuery>(this.#bearer, '/api/v1/sql/saved', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name, query: this.sql }) });
    if (!outcome.ok) {
      this.#listError = outcome.say;
      return false;
    }
    this.#listError = noError;
    this.saved = [...this.saved.filter((s) => s.id !== outcome.data.id), outcome.data].sort((a, b) => a.name.localeCompare(b.name));
    return true;
  }

  async remove(id: string): Promise<void> {
    const outcome = await apiFetch<unknown>(this.#bearer, `/api/v1/sql/saved/${encodeURIComponent(id)}`, { method: 'DELETE' });
    if (!outcome.ok && outcome.status !== 404) {
      this.#listError = outcome.say;
      return;
    }
    this.#listError = noError;
    this.saved = this.saved.filter((s) => s.id !== id);
  }
}
