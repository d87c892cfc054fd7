/**
 * A user's personal notifications (GET/PUT /api/v1/me/notify, admins: /api/v1/users/{username}/notify) and
 * the delivery state of an alert (GET /api/v1/alerts/{id}/deliveries). Numbers and addresses are answered
 * masked only: the full ones stay in the store.
 */
import type { AckChannel } from './alerts.ts';

export const NOTIFY_CHANNEL_NAMES = ['telegram', 'whatsapp', 'email'] as const;
export type NotifyChannelName = (typeof NOTIFY_CHANNEL_NAMES)[number];
export type RuleMode = 'immediate' | 'digest';
export type DeliveryState = 'sent' | 'delivered' | 'read' | 'failed' | 'gave_up' | 'held' | 'digest';

export interface QuietHours {
  /** Local times "HH:MM" in the user's time zone; from after to spans midnight. */
  from: string;
  to: string;
}

export interface NotifyPrefsAnswer {
  language: 'en' | 'hi';
  timeZone: string;
  quietHours: QuietHours | null;
  ruleModes: Record<string, RuleMode>;
  order: NotifyChannelName[];
  channels: {
    telegram: { available: boolean; linked: boolean };
    whatsapp: { available: boolean; number: string | null };
    email: { available: boolean; address: string | null };
  };
}

/** Any subset; `whatsapp`/`email` null removes the contact. */
export interface NotifyPrefsUpdate {
  language?: 'en' | 'hi';
  timeZone?: string;
  quietHours?: QuietHours | null;
  ruleModes?: Record<string, RuleMode>;
  order?: NotifyChannelName[];
  whatsapp?: string | null;
  email?: string | null;
}

export interface TelegramLinkAnswer {
  code: string;
  deepLink: string;
  expiresAt: string;
  username: string;
}

export interface DeliverySummary {
  /** Distinct users with at least one message sent, delivered to, read by; deliveries that failed for good. */
  sentTo: number;
  deliveredTo: number;
  readBy: number;
  failed: number;
  acknowledged: { by: string; via: AckChannel | null; at: number } | null;
}

export interface DeliveriesAnswer {
  deliveries: { username: string; channel: NotifyChannelName; status: DeliveryState; attempt: number; at: number; error?: string }[];
  summary: DeliverySummary;
}
