/**
 * Email over SMTP (nodemailer): plain text and HTML in the user's language; one alert carries a signed
 * one-click acknowledge link (ack-link.ts). SMTP_URL names the server and its credentials
 * (smtp://user:pass@host:587, smtps://… for TLS from the start); the URL and the address are never logged.
 */
import nodemailer from 'nodemailer';
import { ACK_LINK_PATH, signAckLink } from './ack-link.ts';
import type { Channel, Notice, Recipient } from './channels.ts';
import { noticeText } from './channels.ts';
import { botText, timeText } from './texts.ts';

export interface EmailOptions {
  smtpUrl: string;
  from: string;
  /** Where the board (and the api) answer: the link's base. */
  publicUrl: string;
  linkSecret: string;
  linkTtlMs: number;
  now: () => number;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function emailContent(to: Recipient, notice: Notice, options: Pick<EmailOptions, 'publicUrl' | 'linkSecret' | 'linkTtlMs' | 'now'>): { subject: string; text: string; html: string } {
  const body = noticeText(to.language, notice, to.timeZone);
  const lines = body.split('\n');
  const subject = notice.kind === 'alert' ? lines[0]!.slice(0, 200) : lines[0]!;
  if (notice.kind !== 'alert') return { subject, text: body, html: `<div lang="${to.language}">${lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('')}</div>` };
  const expiresAt = options.now() + options.linkTtlMs;
  const link = `${options.publicUrl.replace(/\/+$/, '')}${ACK_LINK_PATH}${signAckLink(options.linkSecret, { alertId: notice.alert.id, username: to.username, expiresAt })}`;
  const note = botText(to.language, 'ackLinkNote', { user: to.username, until: timeText(expiresAt, to.timeZone) });
  return {
    subject,
    text: [body, '', botText(to.language, 'ackLink', { link }), note].join('\n'),
    html:
      `<div lang="${to.language}">${lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('')}` +
      `<p><a href="${escapeHtml(link)}">${escapeHtml(botText(to.language, 'acknowledge'))}</a></p><p><small>${escapeHtml(note)}</small></p></div>`,
  };
}

export function emailChannel(options: EmailOptions): Channel {
  const transport = nodemailer.createTransport(options.smtpUrl);
  return {
    name: 'email',
    async send(to, notice) {
      try {
        const info = await transport.sendMail({ from: options.from, to: to.address, ...emailContent(to, notice, options) });
        return { ok: true, providerMessageId: String(info.messageId ?? '') };
      } catch (error) {
        const e = error as Error & { responseCode?: number; code?: string };
        return { ok: false, error: `smtp: ${e.responseCode ?? e.code ?? 'error'} ${String(e.message).replace(options.smtpUrl, '<SMTP_URL>').replace(to.address, '<address>').slice(0, 200)}` };
      }
    },
  };
}
