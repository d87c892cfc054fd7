/** The built board (web/dist, `npm run build:web`) at `/`, or a line saying how to build it. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Router } from 'express';

const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'web', 'dist');

export function createBoardStaticRouter(dist = WEB_DIST): Router {
  const router = express.Router();
  if (existsSync(path.join(dist, 'index.html'))) {
    router.use(express.static(dist, { index: 'index.html', maxAge: '1h' }));
  } else {
    router.get('/', function boardNotBuilt(_req, res) {
      res.type('text').send('The board is not built yet: run `npm run build:web`, then reload.');
    });
  }
  return router;
}
