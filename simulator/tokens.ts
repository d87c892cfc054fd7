/**
 * Where the simulator gets its two tokens, and what it says about them: a flag, else the setting, else
 * the file `npm start` keeps in DATA_DIR. Never the token itself: only where it came from.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface FoundToken {
  token: string;
  /** Where it came from, for the terminal: `--token`, `INGEST_TOKEN`, or the file's path. */
  from: string;
}

export interface TokenPlace {
  flag: string;
  given: string | undefined;
  variable: string;
  configured: string | undefined;
  dataDir: string;
  file: string;
}

export function findToken(place: TokenPlace): FoundToken | undefined {
  if (place.given) return { token: place.given, from: place.flag };
  if (place.configured) return { token: place.configured, from: place.variable };
  const file = path.resolve(place.dataDir, place.file);
  if (!existsSync(file)) return undefined;
  return { token: readFileSync(file, 'utf8').trim(), from: `${file} (kept by npm start)` };
}

/** What to do when no token was found. */
export function missingToken(place: TokenPlace, what: string): string {
  return `no ${what}: pass ${place.flag}, set ${place.variable}, or start the server with \`npm start\` first with the same DATA_DIR (it keeps one in ${path.resolve(place.dataDir, place.file)})`;
}

/** What to say when the server refused a token (401): most often a server started with another DATA_DIR. */
export function refusedToken(found: FoundToken, what: string, dataDir: string): string {
  return `the server refused the ${what} from ${found.from} (401). Is it running with the same DATA_DIR (${path.resolve(dataDir)}) and settings as this command, and at --url?`;
}
