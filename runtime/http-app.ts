/**
 * The process's one Express app: security headers, the access log, /healthz, /readyz and /metrics,
 * then the routers of the roles this process runs, and last the one error handler. Every role's
 * routers are mounted here and nowhere else.
 */
import { randomUUID } from 'node:crypto';
import express, { type Express, type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import { pinoHttp } from 'pino-http';
import type { Config } from '../common/config.ts';
import { requireBearerSecret, type SecretGuard } from '../common/http/secret-guard.ts';
import type { Logger } from '../common/logger.ts';
import type { Metrics } from '../common/metrics.ts';
import type { Health } from './health.ts';
import { securityHeaders } from './http-security.ts';

export interface HttpAppOptions {
  config: Pick<Config, 'TRUST_PROXY' | 'BOARD_ORIGIN' | 'METRICS_TOKEN'>;
  logger: Logger;
  health: Health;
  metrics: Metrics;
  /** Turns away addresses guessing METRICS_TOKEN. */
  secretGuard: SecretGuard;
  /** The roles' routers, in the order they are tried. */
  routers: Router[];
}

export function createHttpApp(options: HttpAppOptions): Express {
  const { config, logger, metrics } = options;
  const app = express();
  app.disable('x-powered-by');
  // Behind a reverse proxy, the client is who the proxy says (X-Forwarded-For): every per-address limit keys on req.ip.
  app.set('trust proxy', config.TRUST_PROXY);
  app.use(securityHeaders(config.BOARD_ORIGIN));
  app.use(accessLog(logger));
  app.use(options.health.router);
  const metricsAccess: RequestHandler = config.METRICS_TOKEN ? requireBearerSecret(config.METRICS_TOKEN, options.secretGuard, 'METRICS_TOKEN') : (_req, _res, next) => next();
  app.get('/metrics', metricsAccess, async function scrapeMetrics(_req, res) {
    res.set('Content-Type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  for (const router of options.routers) app.use(router);
  app.use(errorHandler(logger.child({ component: 'http' })));
  return app;
}

/** The access log must not carry the WhatsApp verify token (it arrives in the handshake's query string). */
export function redactUrlSecrets(url: string): string {
  return url.replace(/([?&]hub\.verify_token=)[^&]*/gi, '$1[redacted]');
}

function accessLog(logger: Logger): RequestHandler {
  return pinoHttp({
    logger: logger.child({ component: 'http' }),
    // A caller's X-Request-Id is kept (so one id follows a request across services), else a new one.
    genReqId: (req, res) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: redactUrlSecrets(req.url) }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' || req.url === '/metrics' },
  });
}

/** An error no route answered: what Express and body-parser attach to it. */
interface RequestError extends Error {
  status?: number;
  type?: string;
  limit?: number;
}

/** What the client hears for the request errors body-parser raises: fixed words, never the error's own text. */
function clientMessage(error: RequestError, status: number): string {
  switch (error.type) {
    case 'entity.too.large':
      return `body too large: send at most ${error.limit ?? 'the configured'} bytes per request`;
    case 'entity.parse.failed':
      return 'body is not valid JSON';
    case 'charset.unsupported':
      return 'unsupported charset: send the body as UTF-8';
    case 'encoding.unsupported':
      return 'unsupported Content-Encoding: send the body uncompressed, gzip or deflate';
    case 'request.aborted':
      return 'the request was aborted before its body arrived';
    case 'request.size.invalid':
      return 'the body did not match its Content-Length';
    default:
      return `the request was refused (HTTP ${status})`;
  }
}

/**
 * The one error handler, mounted last: an error no route answered is logged (a refused request at
 * warn, a failure at error, with the request's id) and answered with words of our own — never the
 * error's message or stack, which can carry internals.
 */
export function errorHandler(logger: Logger) {
  return function handleError(error: RequestError, req: Request, res: Response, _next: NextFunction) {
    const status = error.status !== undefined && error.status >= 400 && error.status < 500 ? error.status : 500;
    const requestId = res.getHeader('X-Request-Id');
    if (status < 500) logger.warn({ err: error, url: redactUrlSecrets(req.originalUrl), status, requestId }, 'request refused');
    else logger.error({ err: error, url: redactUrlSecrets(req.originalUrl), requestId }, 'request failed');
    if (res.headersSent) return;
    res.status(status).json({ error: status < 500 ? clientMessage(error, status) : 'internal error; see the server log' });
  };
}
