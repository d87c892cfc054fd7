/**
 * Alerts on the board. `AlertsFeed` (one per signed-in board) holds the open-alerts total for the headline
 * tile — the server's count of open alerts (not acknowledged, not snoozed) in the user's scope, never the
 * length of a page — and a `changes` counter the socket's `alerts:fired` / `alerts:updated` bump, so every
 * inbox on screen reads again. `AlertInbox` (one per inbox panel) is one page of a filtered list with its
 * true totals (GET /api/v1/alerts), the same alerts grouped by unit (GET /api/v1/alerts/grouped), and the
 * bulk acknowledge and snooze (POST /api/v1/alerts/acknowledge, /snooze).
 */
import type { Alert, AlertGroupsAnswer, AlertListState, AlertsAnswer, AlertStateCounts, BulkAnswer } from '../../../../common/contracts/alerts.ts';
import { SOCKET_EVENTS } from '../../../../common/live.ts';
import type { DeliverySummary } from '../../../../common/contracts/notify.ts';
import { apiFetch, noError, type Bearer } from '../api.ts';
import type { LiveSocket } from '../live-socket.ts';

export class AlertsFeed {
  /** Open alerts in the user's scope, by the server; null until first read. */
  openCount = $state<number | null>(null);
  loaded = $state(false);
  /** Bumped by every alert change (the socket, or an action here): inboxes read again when it moves. */
  changes = $state(0);

  #bearer: Bearer;

  constructor(bearer: Bearer) {
    this.#bearer = bearer;
  }

  get bearer(): Bearer {
    return this.#bearer;
  }

  async load(): Promise<void> {
    const outcome = await apiFetch<AlertsAnswer>(this.#bearer, '/api/v1/alerts?state=open&limit=1');
    if (!outcome.ok) return;
    this.openCount = outcome.data.total;
    this.loaded = true;
  }

  /** Something changed: the count and every inbox read again, once for changes arriving together (a tick fires many). */
  changed(): void {
    clearTimeout(this.#reload);
    this.#reload = setTimeout(() => {
      this.changes += 1;
      void this.load();
    }, 300);
  }
  #reload: ReturnType<typeof setTimeout> | undefined;

  /** Attach to the live socket; reloads on every (re)connect so nothing missed stays missing. */
  follow(socket: LiveSocket): () => void {
    const onChange = () => this.changed();
    // A (re)connect reads at once: the tile has its number before anything else moves on the page.
    const onConnect = () => {
      clearTimeout(this.#reload);
      this.changes += 1;
      void this.load();
    };
    socket.on(SOCKET_EVENTS.alertFired, onChange);
    socket.on(SOCKET_EVENTS.alertUpdated, onChange);
    socket.on('connect', onConnect);
    return () => {
      clearTimeout(this.#reload);
      socket.off(SOCKET_EVENTS.alertFired, onChange);
      socket.off(SOCKET_EVENTS.alertUpdated, onChange);
      socket.off('connect', onConnect);
    };
  }
}

export type GroupBy = '' | 'division' | 'unit';

const NO_COUNTS: AlertStateCounts = { open: 0, acknowledged: 0, snoozed: 0, resolved: 0 };

export class AlertInbox {
  state = $state<AlertListState>('open');
  rule = $state('');
  category = $state('');
  /** The unit the list is cut to: fixed on a unit's page, chosen from a group elsewhere ('' = all in scope). */
  unit = $state('');
  groupBy = $state<GroupBy>('');
  offset = $state(0);
  readonly limit: number;

  alerts = $state<Alert[]>([]);
  total = $state(0);
  counts = $state<AlertStateCounts>(NO_COUNTS);
  groups = $state<AlertGroupsAnswer['groups']>([]);
  /** Unit names the server gave with the page and the groups, by id. */
  names = $state<Record<string, string>>({});
  /** How far the page's alerts' personal notifications got, by alert id. */
  delivery = $state<Record<string, DeliverySummary>>({});
  /** Categories of the alerts under the other filters, for the category filter. */
  categories = $state<string[]>([]);
  selected = $state<string[]>([]);
  loaded = $state(false);
  busy = $state(false);
  /** What the last bulk action did (the panel says it in the viewer's language). */
  lastAction = $state<{ kind: 'ack' | 'snooze' | 'unsnooze'; done: number; skipped: number } | null>(null);
  /** Why the last bulk action failed, said when read ('' when it did not). */
  get actionError(): string {
    return this.#actionError();
  }
  #actionError = $state<() => string>(noError);
  get error(): string {
    return this.#error();
  }
  #error = $state<() => string>(noError);

  #feed: AlertsFeed;
  #fixedUnit: string;
  #loads = 0;

  constructor(feed: AlertsFeed, options: { unit?: string; limit?: number } = {}) {
    this.#feed = feed;
    this.#fixedUnit = options.unit ?? '';
    this.unit = this.#fixedUnit;
    this.limit = options.limit ?? 10;
  }

  get fixedUnit(): string {
    return this.#fixedUnit;
  }

  #query(extra: Record<string, string | number> = {}): string {
    const q = new URLSearchParams();
    if (this.rule) q.set('rule', this.rule);
    if (this.unit) q.set('unit', this.unit);
    for (const [k, v] of Object.entries(extra)) q.set(k, String(v));
    return q.toString();
  }

  async load(): Promise<void> {
    const mine = ++this.#loads;
    const list = `/api/v1/alerts?${this.#query({ state: this.state, limit: this.limit, offset: this.offset, ...(this.category ? { category: this.category } : {}) })}`;
    const [page, grouped, categories] = await Promise.all([
      apiFetch<AlertsAnswer>(this.#feed.bearer, list),
      this.groupBy ? apiFetch<AlertGroupsAnswer>(this.#feed.bearer, `/api/v1/alerts/grouped?${this.#query({ state: this.state, by: this.groupBy, ...(this.category ? { category: this.category } : {}) })}`) : Promise.resolve(null),
      apiFetch<AlertGroupsAnswer>(this.#feed.bearer, `/api/v1/alerts/grouped?${this.#query({ state: this.state, by: 'category' })}`),
    ]);
    if (mine !== this.#loads) return;
    if (!page.ok) {
      this.#error = page.say;
      return;
    }
    this.#error = noError;
    this.alerts = page.data.alerts;
    this.total = page.data.total;
    this.counts = page.data.counts;
    this.delivery = page.data.delivery ?? {};
    this.groups = grouped?.ok ? grouped.data.groups : [];
    this.names = { ...this.names, ...page.data.names, ...Object.fromEntries(this.groups.map((g) => [g.key, g.name])) };
    if (categories.ok) this.categories = categories.data.groups.map((g) => g.key).filter(Boolean).sort();
    // A page past the end (alerts went away): back to the last page that has some.
    if (this.offset > 0 && this.offset >= this.total) {
      this.offset = Math.max(0, Math.floor((this.total - 1) / this.limit) * this.limit);
      return this.load();
    }
    const shown = new Set(this.alerts.map((a) => a.id));
    this.selected = this.selected.filter((id) => shown.has(id));
    this.loaded = true;
  }

  /** Change a filter: back to the first page, selection cleared. */
  filter(change: Partial<Pick<AlertInbox, 'state' | 'rule' | 'category' | 'unit' | 'groupBy'>>): void {
    Object.assign(this, change);
    this.offset = 0;
    this.selected = [];
    this.lastAction = null;
  }

  page(direction: 1 | -1): void {
    this.offset = Math.max(0, this.offset + direction * this.limit);
    this.selected = [];
  }

  toggle(id: string): void {
    this.selected = this.selected.includes(id) ? this.selected.filter((s) => s !== id) : [...this.selected, id];
  }

  /** Select every open alert on the page, or none when all are selected. */
  toggleAll(): void {
    const ids = this.alerts.filter((a) => a.state === 'firing').map((a) => a.id);
    this.selected = ids.every((id) => this.selected.includes(id)) ? [] : ids;
  }

  /** Acknowledge every open alert the filters match (up to 500, what one request takes), not just the page. */
  async acknowledgeAll(): Promise<void> {
    const list = `/api/v1/alerts?${this.#query({ state: 'open', limit: 500, ...(this.category ? { category: this.category } : {}) })}`;
    const page = await apiFetch<AlertsAnswer>(this.#feed.bearer, list);
    if (!page.ok) {
      this.#actionError = page.say;
      return;
    }
    if (page.data.alerts.length > 0) await this.acknowledge(page.data.alerts.map((a) => a.id));
  }

  acknowledge(ids: string[]): Promise<void> {
    return this.#bulk('/api/v1/alerts/acknowledge', { ids }, 'ack');
  }

  /** Snooze until `until` (epoch ms), or end the snooze (null). */
  snooze(ids: string[], until: number | null): Promise<void> {
    return this.#bulk('/api/v1/alerts/snooze', { ids, until: until === null ? null : new Date(until).toISOString() }, until === null ? 'unsnooze' : 'snooze');
  }

  async #bulk(path: string, body: unknown, kind: 'ack' | 'snooze' | 'unsnooze'): Promise<void> {
    this.busy = true;
    try {
      const outcome = await apiFetch<BulkAnswer>(this.#feed.bearer, path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      if (!outcome.ok) {
        this.#actionError = outcome.say;
        this.lastAction = null;
        return;
      }
      this.#actionError = noError;
      const { results, done } = outcome.data;
      this.selected = [];
      this.#feed.changed();
      // Said once the list and its counts show the change.
      await this.load();
      this.lastAction = { kind, done, skipped: results.length - done };
    } finally {
      this.busy = false;
    }
  }
}
