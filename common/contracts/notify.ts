/**
 * A user's personal notifications (GET/PUT /api/v1/me/notify, admins: /api/v1/users/{username}/notify) and
 * the delivery state of an alert (GET /api/v1/alerts/{id}/deliveries). Numbers and addresses are answered
 * masked only: the full ones stay in the store (alerts/notify/).
 */
export const NOTIFY_LANGUAGES = ['en', 'hi'] as const;
export type NotifyLanguage = (typeof NOTIFY_LANGUAGES)[number];
/** Every channel, in the default order to try them. */
export const NOTIFY_CHANNELS = ['telegram', 'whatsapp', 'email'] as const;
export type NotifyChannel = (typeof NOTIFY_CHANNELS)[number];
export const RULE_MODES = ['immediate', 'digest'] as const;
export type RuleMode = (typeof RULE_MODES)[number];
/** all: every channel the user set up gets the alert; first: the first in `order`, the next only when it gives up. */
export const USE_CHANNELS = ['all', 'first'] as const;
export type UseChannels = (typeof USE_CHANNELS)[number];
export const DELIVERY_STATUSES = ['sent', 'delivered', 'read', 'failed', 'gave_up', 'held', 'digest'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface QuietHours {
  /** "HH:MM" local time in the user's time zone; from after to spans midnight. */
  from: string;
  to: string;
}

export interface NotifyPrefs {
  language: NotifyLanguage;
  timeZone: string;
  quietHours: QuietHours | null;
  ruleModes: Record<string, RuleMode>;
  order: NotifyChannel[];
  useChannels: UseChannels;
}

/** GET /api/v1/me/notify. */
export interface NotifyAnswer extends NotifyPrefs {
  channels: {
    telegram: { available: boolean; linked: boolean };
    whatsapp: { available: boolean; number: string | null };
    email: { available: boolean; address: string | null };
  };
}

/** PUT /api/v1/me/notify: any subset; `whatsapp`/`email`/`quietHours` null removes it. */
export type NotifyChange = Partial<NotifyPrefs> & { whatsapp?: string | null; email?: string | null };

/** POST /api/v1/me/telegram/link. */
export interface TelegramLinkAnswer {
  code: string;
  deepLink: string;
  expiresAt: string;
  username: string;
}

/** What the board shows of an alert's deliveries. */
export interface DeliverySummary {
  /** Distinct users with at least one message sent, delivered to, read by. */
  sentTo: number;
  deliveredTo: number;
  readBy: number;
  /** Distinct users none of whose channels reached them (each one's latest status failed or gave_up). */
  failed: number;
  acknowledged: { by: string; via: string; at: number } | null;
}

/** GET /api/v1/alerts/{id}/deliveries (times in epoch ms; `error` for admins only). */
export interface DeliveriesAnswer {
  deliveries: { username: string; channel: NotifyChannel; status: DeliveryStatus; attempt: number; at: number; error?: string }[];
  summary: DeliverySummary;
}

/** GET /api/v1/notify/failures (admins): the latest deliveries that failed, newest first. */
export interface FailedDelivery {
  alertId: string;
  username: string;
  channel: NotifyChannel;
  status: 'failed' | 'gave_up';
  error: string;
  at: number;
}

export interface FailuresAnswer {
  failures: FailedDelivery[];
}
