/**
 * A random secret kept in a file under DATA_DIR: created (mode 0600) on first use, read after.
 * For keys a single-node deployment may generate itself; clusters set them in config instead.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function loadOrCreateSecretFile(dataDir: string, name: string, bytes = 32): { secret: string; created: boolean; file: string } {
  const file = path.resolve(dataDir, name);
  if (existsSync(file)) return { secret: readFileSync(file, 'utf8').trim(), created: false, file };
  mkdirSync(path.dirname(file), { recursive: true });
  const secret = randomBytes(bytes).toString('hex');
  writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' });
  return { secret, created: true, file };
}
