/**
 * What comes back at the WhatsApp webhook (POST /v1/webhooks/whatsapp, signature already checked) for
 * the messages the notifier sent: `statuses[]` naming a wamid from the ledger become ledger rows
 * (delivered, read, failed; one row per wamid and status, however often Meta repeats it), and the
 * quick-reply button's reply (`type: "button"`, `button.payload` = `ack:<alert id>`) acknowledges the
 * alert as the user whose WhatsApp number sent it (acknowledge.ts: the same check as Telegram's button).
 * Statuses of other messages (the groups') are not ours: they stay ignored as before.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Logger } from '../../common/logger.ts';
import { phoneNumberOf } from '../../common/phone.ts';
import type { AcknowledgeAs } from './acknowledge.ts';
import type { NotifyCounter } from './notifier.ts';
import type { NotifyStore } from './store.ts';
import { ackIdOf } from './texts.ts';

export interface WhatsAppRepliesOptions {
  store: NotifyStore;
  acknowledgeAs: AcknowledgeAs;
  /** PHONE_DEFAULT_COUNTRY: numbers are normalised as ingest does. */
  defaultCountry: string;
  now: () => number;
  counter: NotifyCounter;
  logger: Logger;
}

const statusSchema = z.object({
  id: z.string().min(1).max(256),
  status: z.string(),
  timestamp: z.union([z.string(), z.number()]).optional(),
  errors: z.array(z.object({ code: z.number().optional(), title: z.string().optional(), message: z.string().optional() }).passthrough()).optional(),
}).passthrough();
const buttonSchema = z.object({ from: z.string().min(1).max(32), type: z.literal('button'), button: z.object({ payload: z.string().max(256) }).passthrough() }).passthrough();
const valueSchema = z.object({ statuses: z.array(z.unknown()).optional(), messages: z.array(z.unknown()).optional() }).passthrough();
const payloadSchema = z.object({ entry: z.array(z.object({ changes: z.array(z.object({ value: z.unknown() }).passthrough()).optional() }).passthrough()) }).passthrough();

const RECORDED = new Set(['delivered', 'read', 'failed']);

/** Handles the notifier's statuses and replies in a delivery; the rest of the payload is left to the group mapping. */
export type WhatsAppReplies = (payload: unknown) => Promise<{ statuses: number; acknowledged: number }>;

export function createWhatsAppReplies(options: WhatsAppRepliesOptions): WhatsAppReplies {
  const log = options.logger.child({ component: 'alerts-notify-whatsapp' });

  async function status(raw: unknown): Promise<boolean> {
    const parsed = statusSchema.safeParse(raw);
    if (!parsed.success || !RECORDED.has(parsed.data.status)) return false;
    const { id, status: state } = parsed.data;
    const delivery = await options.store.deliveryOf('whatsapp', id);
    if (!delivery) return false;
    // A fresh owner per status seen: a repeat of it (in this delivery or a later one) finds the claim taken.
    if (!(await options.store.claim(`status\u0000${id}\u0000${state}`, randomUUID(), options.now()))) return false;
    const seconds = Number(parsed.data.timestamp);
    const error = parsed.data.errors?.[0];
    await options.store.record([{
      ...delivery, channel: 'whatsapp', providerMessageId: id, status: state as 'delivered' | 'read' | 'failed', attempt: 0,
      error: error ? `code ${error.code ?? '?'} ${(error.title ?? error.message ?? '').slice(0, 200)}`.trim() : '',
      at: Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : options.now(),
    }]);
    options.counter.inc({ channel: 'whatsapp', outcome: state });
    return true;
  }

  async function reply(raw: unknown): Promise<boolean> {
    const parsed = buttonSchema.safeParse(raw);
    if (!parsed.success) return false;
    const alertId = ackIdOf(parsed.data.button.payload);
    if (!alertId) return false;
    const number = phoneNumberOf(`+${parsed.data.from.replace(/^\+/, '')}`, options.defaultCountry);
    const username = number ? await options.store.userOfWhatsApp(number) : undefined;
    const outcome = await options.acknowledgeAs(username, alertId, 'whatsapp');
    if (outcome !== 'acknowledged') log.info({ alert: alertId, outcome }, 'a WhatsApp acknowledge reply did not acknowledge');
    return outcome === 'acknowledged';
  }

  return async function handleWhatsAppReplies(payload) {
    const counts = { statuses: 0, acknowledged: 0 };
    const parsed = payloadSchema.safeParse(payload);
    if (!parsed.success) return counts;
    for (const entry of parsed.data.entry) {
      for (const change of entry.changes ?? []) {
        const value = valueSchema.safeParse(change.value);
        if (!value.success) continue;
        for (const s of value.data.statuses ?? []) if (await status(s)) counts.statuses++;
        for (const m of value.data.messages ?? []) if (await reply(m)) counts.acknowledged++;
      }
    }
    return counts;
  };
}
