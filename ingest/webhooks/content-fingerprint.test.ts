import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createPseudonymiser } from '../pseudonymise.ts';
import { mediaFingerprint, normaliseText, textFingerprint } from './content-fingerprint.ts';

const digest = createPseudonymiser(Buffer.alloc(32, 7));
const otherKey = createPseudonymiser(Buffer.alloc(32, 8));

describe('content fingerprints', () => {
  it('normalises text: trim, collapse whitespace (any kind), lower-case', () => {
    expect(normaliseText('  Vote   for\n\tCHANGE\u00a0now  ')).toBe('vote for change now');
    expect(normaliseText('नमस्ते   साथियों')).toBe('नमस्ते साथियों');
  });

  it('gives the same fingerprint to the same words with other spacing or case, another to other words', () => {
    const a = textFingerprint('Rally at 5 PM, Gandhi Maidan', digest);
    expect(textFingerprint('  rally at 5 pm,\n gandhi   maidan ', digest)).toBe(a);
    expect(textFingerprint('Rally at 6 PM, Gandhi Maidan', digest)).not.toBe(a);
    expect(textFingerprint(' \n ', digest)).toBeUndefined();
  });

  it('is keyed: another deployment key gives another fingerprint, and no plain hash of the text appears', () => {
    const text = 'ok';
    const fp = textFingerprint(text, digest)!;
    expect(textFingerprint(text, otherKey)).not.toBe(fp);
    for (const algorithm of ['md5', 'sha1', 'sha256']) {
      const plain = createHash(algorithm).update(text).digest('hex');
      expect(fp).not.toContain(plain.slice(0, 16));
    }
    expect(fp).not.toContain(text);
  });

  it('keys media by the platform and its file identity; text and media never collide', () => {
    expect(mediaFingerprint('wa', 'abc', digest)).toBe(mediaFingerprint('wa', 'abc', digest));
    expect(mediaFingerprint('wa', 'abc', digest)).not.toBe(mediaFingerprint('tg', 'abc', digest));
    expect(mediaFingerprint('wa', 'abc', digest)).not.toBe(textFingerprint('abc', digest));
    expect(mediaFingerprint('tg', ' ', digest)).toBeUndefined();
  });
});
