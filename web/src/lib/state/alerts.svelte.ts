/**
 * The alerts feed: open alerts from `GET /api/v1/alerts?state=open` (already cut to the user's
 * scope by the server), kept current by the socket's `alerts:fired` / `alerts:updated`, and
 * acknowledged through `POST /api/v1/alerts/{id}/acknowledge`.
 */
import type { AlertAnswer, AlertChange, AlertsAnswer, Alert } from '../../../../common/contracts/alerts.ts';
import { SOCKET_EVENTS } from '../../../../common/live.ts';
import { apiFetch } from '../api.ts';
import type { LiveSocket } from '../live-socket.ts';

export class AlertsFeed {
  /** Open alerts, newest first. */
  alerts = $state<Alert[]>([]);
  error = $state('');
  loaded = $state(false);
  /** Ids being acknowledged right now. */
  pending = $state<string[]>([]);

  openCount = $derived(this.alerts.length);

  #token: string;

  constructor(token: string) {
    this.#token = token;
  }

  async load(): Promise<void> {
    const outcome = await apiFetch<AlertsAnswer>(this.#token, '/api/v1/alerts?state=open&limit=200');
    if (!outcome.ok) {
      this.error = outcome.error;
      return;
    }
    this.error = '';
    this.alerts = outcome.data.alerts.sort((a, b) => b.firedAt - a.firedAt);
    this.loaded = true;
  }

  apply(alert: Alert): void {
    const rest = this.alerts.filter((a) => a.id !== alert.id);
    this.alerts = alert.state === 'resolved' ? rest : [alert, ...rest].sort((a, b) => b.firedAt - a.firedAt);
  }

  async acknowledge(id: string): Promise<string | null> {
    this.pending = [...this.pending, id];
    try {
      const outcome = await apiFetch<AlertAnswer>(this.#token, `/api/v1/alerts/${encodeURIComponent(id)}/acknowledge`, { method: 'POST' });
      if (!outcome.ok) return outcome.error;
      this.apply(outcome.data.alert);
      return null;
    } finally {
      this.pending = this.pending.filter((p) => p !== id);
    }
  }

  /** Attach to the live socket; reloads the list on every (re)connect so nothing missed stays missing. */
  follow(socket: LiveSocket): () => void {
    const onChange = (message: AlertChange) => this.apply(message.alert);
    const onConnect = () => void this.load();
    socket.on(SOCKET_EVENTS.alertFired, onChange);
    socket.on(SOCKET_EVENTS.alertUpdated, onChange);
    socket.on('connect', onConnect);
    return () => {
      socket.off(SOCKET_EVENTS.alertFired, onChange);
      socket.off(SOCKET_EVENTS.alertUpdated, onChange);
      socket.off('connect', onConnect);
    };
  }
}
