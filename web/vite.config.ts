/**
 * The board's build: root is web/, output web/dist (served by the api at `/`). In dev
 * (`npm run dev:web`) the api, ingest and socket live on the all-in-one server; proxy them.
 * The board imports the shared socket contract from ../common, outside this root.
 */
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

const webRoot = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const backend = process.env.GROUPPULSE_DEV_BACKEND ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: webRoot,
  base: '/',
  plugins: [svelte()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
  },
  server: {
    fs: { allow: [repoRoot] },
    proxy: {
      '/api': backend,
      '/v1': backend,
      '/socket.io': { target: backend, ws: true },
    },
  },
});
