/**
 * Member and sender ids are replaced at the door by a keyed HMAC, so nothing downstream
 * (Kafka, ClickHouse, logs) ever holds a phone number or platform user id. The same person
 * gets the same pseudonym across groups, which keeps "distinct people" countable.
 */
import { createHmac } from 'node:crypto';
import { loadOrCreateSecretFile } from '../common/secret-file.ts';

export type Pseudonymise = (id: string) => string;

export function createPseudonymiser(key: Buffer): Pseudonymise {
  if (key.length < 16) throw new Error('the pseudonymisation key must be at least 16 bytes');
  return function pseudonymise(id: string): string {
    // 128 bits of the HMAC: collisions are negligible at 10^8 people and rows stay short.
    return createHmac('sha256', key).update(id).digest('hex').slice(0, 32);
  };
}

/**
 * The key from config (PSEUDONYM_KEY, hex or any string of ≥ 16 bytes), else the one kept in
 * DATA_DIR/pseudonym.key, else a new random key written there (created: true tells the caller).
 */
export function loadOrCreatePseudonymKey(configured: string | undefined, dataDir: string): { key: Buffer; created: boolean; file?: string } {
  if (configured) {
    const key = /^[0-9a-f]{32,}$/i.test(configured) ? Buffer.from(configured, 'hex') : Buffer.from(configured, 'utf8');
    return { key, created: false };
  }
  const { secret, created, file } = loadOrCreateSecretFile(dataDir, 'pseudonym.key');
  return { key: Buffer.from(secret, 'hex'), created, file };
}
