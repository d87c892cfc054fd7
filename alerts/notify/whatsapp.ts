/**
 * WhatsApp Cloud API template messages: a business may start a conversation only with an approved
 * template. POST {base}/{version}/{phone number id}/messages, Bearer access token, JSON
 * `{messaging_product: "whatsapp", to, type: "template", template: {name, language: {code}, components}}`
 * with the body's parameters and the quick-reply button's payload (`ack:<alert id>`, which comes back in
 * the reply at the webhook: whatsapp-replies.ts). Format as Meta documents it for template components
 * and the quick-reply button parameter `{type: "payload", payload}`:
 * https://whatsapp.github.io/WhatsApp-Nodejs-SDK/api-reference/types/button_parameter_object
 * and https://developers.facebook.com/docs/whatsapp/cloud-api/guides/send-message-templates.
 *
 * The template (README "Alerts on phones and email"): body with two parameters, {{1}} the heading
 * ("GroupPulse alert") and {{2}} the alert on one line; one quick-reply button "Acknowledge". Answers:
 * `{messages: [{id: "wamid…"}]}`, or `{error: {message, code, …}}`; HTTP 429 and the codes 130429
 * (throughput) and 131056 (pair rate limit) mean "later": the notifier retries with backoff.
 * The access token and the number are never logged.
 */
import type { NotifyLanguage } from './prefs.ts';
import type { Channel, Notice, Recipient, SendResult } from './channels.ts';
import { alertLine, botText, complianceLines, digestLines } from './texts.ts';

export interface WhatsAppOptions {
  base: string;
  version: string;
  phoneNumberId: string;
  accessToken: string;
  templateName: string;
  /** The template's language code per user language, e.g. {en: 'en', hi: 'hi'}. */
  templateLanguages: Record<NotifyLanguage, string>;
  timeoutMs?: number;
}

/** Error codes that mean "too many, try later" (https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes). */
export const WHATSAPP_RETRY_LATER_CODES = new Set([130429, 131056, 80007]);
/** Template parameters hold at most 1024 characters and no line breaks. */
const MAX_PARAMETER = 1000;

function parameter(text: string): { type: 'text'; text: string } {
  return { type: 'text', text: text.replace(/\s*\n\s*/g, ' · ').slice(0, MAX_PARAMETER) };
}

export function templateBody(to: Recipient, notice: Notice, options: Pick<WhatsAppOptions, 'templateName' | 'templateLanguages'>): Record<string, unknown> {
  const [heading, line] =
    notice.kind === 'alert'
      ? [botText(to.language, notice.change), alertLine(to.language, notice.alert, notice.change, to.timeZone, notice.units)]
      : (([first, ...rest]) => [first!, rest.join(' ') || first!])(notice.kind === 'digest' ? digestLines(to.language, notice.alerts, notice.cap, notice.units) : complianceLines(to.language, notice.compliance));
  return {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: to.address.replace(/^\+/, ''),
    type: 'template',
    template: {
      name: options.templateName,
      language: { code: options.templateLanguages[to.language] },
      components: [
        { type: 'body', parameters: [parameter(heading), parameter(line)] },
        { type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: notice.kind === 'alert' ? `ack:${notice.alert.id}` : notice.kind === 'digest' ? `digest:${notice.day}` : `digest:${notice.id}` }] },
      ],
    },
  };
}

export function whatsAppChannel(options: WhatsAppOptions): Channel {
  const url = `${options.base.replace(/\/+$/, '')}/${options.version}/${options.phoneNumberId}/messages`;
  return {
    name: 'whatsapp',
    async send(to, notice): Promise<SendResult> {
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${options.accessToken}`, 'content-type': 'application/json' },
          body: JSON.stringify(templateBody(to, notice, options)),
          signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        });
      } catch (error) {
        const e = error as Error;
        return { ok: false, error: e.name === 'TimeoutError' ? 'messages: no answer in time' : `messages: ${e.message.replace(options.accessToken, '<token>')}` };
      }
      let parsed: { messages?: { id?: unknown }[]; error?: { message?: unknown; code?: unknown } } = {};
      try {
        parsed = (await response.json()) as typeof parsed;
      } catch {
        parsed = {};
      }
      const id = parsed.messages?.[0]?.id;
      if (response.ok && typeof id === 'string' && id !== '') return { ok: true, providerMessageId: id };
      const code = typeof parsed.error?.code === 'number' ? parsed.error.code : undefined;
      const message = typeof parsed.error?.message === 'string' ? ` ${parsed.error.message.slice(0, 200)}` : '';
      const retryAfter = Number(response.headers.get('retry-after'));
      const later = response.status === 429 || (code !== undefined && WHATSAPP_RETRY_LATER_CODES.has(code));
      return {
        ok: false,
        error: `messages: HTTP ${response.status}${code !== undefined ? ` code ${code}` : ''}${message}${later ? ' (rate limited: retry later)' : ''}`,
        retryAfterSeconds: later && Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
      };
    },
  };
}
