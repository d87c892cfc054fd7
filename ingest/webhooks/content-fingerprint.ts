/**
 * A message's content fingerprint as the webhooks and the chat-export import compute it from what they
 * receive (pure), so one message forwarded down the group tree is recognised wherever it lands — and the
 * content is dropped right after, as before.
 *
 * - Text (and a caption without media): trimmed, runs of whitespace collapsed to one space, lower-cased.
 * - Media: the platform's own identity of the file — WhatsApp's `sha256` of the media (else its media
 *   id), Telegram's `file_unique_id` (the same file in every chat). A caption does not change it.
 *
 * What comes out is already a keyed digest (the pseudonymiser's HMAC with the deployment key), never the
 * content nor an unkeyed hash of it: a short text could be guessed back from a plain hash. The door then
 * keys it once more, as every posted fingerprint (`fingerprintOf` in ingest/validate.ts).
 */
import type { IdDigest } from './mapped.ts';

/** Trim, collapse whitespace, lower-case: the same words forwarded with other spacing or case match. */
export function normaliseText(text: string): string {
  return text.trim().replace(/\s+/gu, ' ').toLocaleLowerCase('en');
}

/** The fingerprint of a text, or undefined when nothing is left of it. */
export function textFingerprint(text: string, digest: IdDigest): string | undefined {
  const normalised = normaliseText(text);
  return normalised === '' ? undefined : `t:${digest(`content:text:${normalised}`)}`;
}

/** The fingerprint of a platform's media file, by the platform's identity of it. */
export function mediaFingerprint(platform: 'wa' | 'tg', fileKey: string, digest: IdDigest): string | undefined {
  const key = fileKey.trim();
  return key === '' ? undefined : `m:${digest(`content:${platform}:${key}`)}`;
}

/** `{ fingerprint }` when there is one, else nothing (the event's field stays absent). */
export function withFingerprint(fingerprint: string | undefined): { fingerprint?: string } {
  return fingerprint === undefined ? {} : { fingerprint };
}
