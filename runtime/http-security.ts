/**
 * Security headers (helmet) and CORS for the read API. The board is served by the same process, so
 * its Content-Security-Policy allows only its own scripts, styles and the live socket on the same
 * origin (plus BOARD_ORIGIN's, when the board is served from elsewhere, e.g. Vite's dev server).
 */
import cors from 'cors';
import helmet from 'helmet';
import type { RequestHandler } from 'express';

export function securityHeaders(boardOrigin: string | undefined): RequestHandler {
  const origins = boardOrigin ? [boardOrigin, boardOrigin.replace(/^http/, 'ws')] : [];
  return helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // Svelte transitions and uPlot set inline style attributes.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'", ...origins],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        // The all-in-one process serves plain http on a LAN; a proxy in front adds TLS and HSTS.
        upgradeInsecureRequests: null,
      },
    },
    strictTransportSecurity: false,
  });
}

/** CORS for /api: only the board's origin, when it is served from elsewhere; none otherwise. */
export function corsForBoard(boardOrigin: string | undefined): RequestHandler {
  return cors({
    origin: boardOrigin ? [boardOrigin] : false,
    methods: ['GET', 'POST', 'PATCH'],
    allowedHeaders: ['Authorization', 'Content-Type'],
    maxAge: 600,
  });
}
