/**
 * The browser tier's once-per-run set-up: builds the board (web/ → dist) before any browser test file
 * starts, so the files can run side by side without two builds writing the same output.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export default function buildBoard(): void {
  execFileSync('npx', ['vite', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { cwd: path.resolve(import.meta.dirname, '..', '..'), stdio: 'inherit' });
}
