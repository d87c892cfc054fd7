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

/** The files `npm start` keeps the tokens it generates in, under DATA_DIR (the CLI and the simulator read them). */
export const INGEST_TOKEN_FILE = 'ingest.token';
export const DIRECTORY_IMPORT_TOKEN_FILE = 'directory-import.token';

/** A secret set in config, else the one kept in DATA_DIR/`name` when there is one. */
export function configuredOrKept(configured: string | undefined, dataDir: string, name: string): string | undefined {
  if (configured) return configured;
  const file = path.resolve(dataDir, name);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}
