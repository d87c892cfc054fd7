import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPseudonymiser, loadOrCreatePseudonymKey } from './pseudonymise.ts';

describe('pseudonymisation', () => {
  it('is stable for one key, differs across keys, and hides the input', () => {
    const a = createPseudonymiser(Buffer.alloc(32, 1));
    const b = createPseudonymiser(Buffer.alloc(32, 2));
    expect(a('919812345678')).toBe(a('919812345678'));
    expect(a('919812345678')).not.toBe(a('919812345679'));
    expect(a('919812345678')).not.toBe(b('919812345678'));
    expect(a('919812345678')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('refuses a short key', () => {
    expect(() => createPseudonymiser(Buffer.alloc(8))).toThrow(/at least 16 bytes/);
  });

  it('generates a key once, keeps it private, and reuses it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gp-key-'));
    const first = loadOrCreatePseudonymKey(undefined, dir);
    expect(first.created).toBe(true);
    expect(statSync(first.file!).mode & 0o777).toBe(0o600);
    const second = loadOrCreatePseudonymKey(undefined, dir);
    expect(second.created).toBe(false);
    expect(second.key.equals(first.key)).toBe(true);
    expect(readFileSync(first.file!, 'utf8').trim()).toHaveLength(64);
  });

  it('takes a configured key as hex or text', () => {
    expect(loadOrCreatePseudonymKey('00112233445566778899aabbccddeeff', '/nonexistent').key).toHaveLength(16);
    expect(loadOrCreatePseudonymKey('a passphrase of some length', '/nonexistent').key.toString()).toBe('a passphrase of some length');
  });
});
