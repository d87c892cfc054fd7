/** What the bot says, in English and Hindi (the user's language, PUT /api/v1/me/notify). */
import type { Alert } from '../../common/contracts/alerts.ts';
import type { NotifyLanguage } from './store.ts';

export const BOT_TEXTS = {
  en: {
    fired: 'GroupPulse alert',
    escalated: 'GroupPulse alert, escalated to you',
    unit: 'Unit',
    since: 'Since',
    acknowledge: 'Acknowledge',
    linked: 'This chat is now linked to GroupPulse user {user}. Alerts for you will come here.',
    badCode: 'This link code is unknown, used or expired. Ask for a new one on the board.',
    acknowledged: 'Acknowledged. Thank you.',
    alreadyAcknowledged: 'This alert was already acknowledged.',
    resolved: 'This alert has already ended: nothing to acknowledge.',
    notYours: 'This chat cannot acknowledge this alert.',
  },
  hi: {
    fired: 'GroupPulse चेतावनी',
    escalated: 'GroupPulse चेतावनी, आपको आगे भेजी गई',
    unit: 'इकाई',
    since: 'कब से',
    acknowledge: 'स्वीकार करें',
    linked: 'यह चैट अब GroupPulse उपयोगकर्ता {user} से जुड़ गई है। आपकी चेतावनियाँ यहाँ आएँगी।',
    badCode: 'यह लिंक कोड अज्ञात है, इस्तेमाल हो चुका है या उसकी अवधि समाप्त हो गई है। बोर्ड पर नया कोड माँगें।',
    acknowledged: 'स्वीकार किया गया। धन्यवाद।',
    alreadyAcknowledged: 'यह चेतावनी पहले ही स्वीकार की जा चुकी है।',
    resolved: 'यह चेतावनी पहले ही समाप्त हो चुकी है: स्वीकार करने को कुछ नहीं है।',
    notYours: 'यह चैट इस चेतावनी को स्वीकार नहीं कर सकती।',
  },
} as const satisfies Record<NotifyLanguage, Record<string, string>>;

export type BotTextKey = keyof (typeof BOT_TEXTS)['en'];

export function botText(language: NotifyLanguage, key: BotTextKey, values: Record<string, string> = {}): string {
  return BOT_TEXTS[language][key].replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? '');
}

/** The alert's message (the detector's words) framed in the user's language. */
export function alertText(language: NotifyLanguage, alert: Alert, change: 'fired' | 'escalated'): string {
  const lines = [`${botText(language, change)}: ${alert.message}`];
  const unit = change === 'escalated' && alert.escalatedUnit ? alert.escalatedUnit : alert.unit || alert.division;
  if (unit) lines.push(`${botText(language, 'unit')}: ${unit}`);
  lines.push(`${botText(language, 'since')}: ${new Date(alert.since).toISOString().slice(0, 16).replace('T', ' ')} UTC`);
  return lines.join('\n');
}

/** callback_data of the button (at most 64 bytes: alert ids are 32). */
export function ackData(alertId: string): string {
  return `ack:${alertId}`;
}
