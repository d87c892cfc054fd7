/**
 * POST /v1/imports/whatsapp-export?group=<id>: a group's "Export chat" .txt file as the body
 * (text/plain), authenticated by a source token like /v1/events. The file is parsed in memory,
 * no text is kept, and the events go through the shared acceptor in chunks; the answer counts what
 * was found, accepted and rejected. Importing the same file again counts nothing twice.
 */
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import { z } from 'zod';
import { BusUnavailableError } from '../../common/bus/bus.ts';
import { describeZodError } from '../../common/events.ts';
import type { Logger } from '../../common/logger.ts';
import type { EventAcceptor, Rejection } from '../../ingest/accept-events.ts';
import { answerBusUnavailable } from './bus-unavailable.ts';
import { authenticateSource } from './events.ts';
import type { Source, SourceRegistry } from '../../ingest/sources.ts';
import type { IdDigest } from '../../ingest/webhooks/mapped.ts';
import { parseChatExport } from '../../ingest/chat-export/parse-export.ts';
import { assertTimeZone } from '../../common/time.ts';

export interface ChatExportRouterDeps {
  sources: SourceRegistry;
  acceptEvents: EventAcceptor;
  digest: IdDigest;
  maxExportBytes: number;
  /** Events per acceptor call (the bus batch). */
  chunkEvents: number;
  defaultTimeZone: string;
  rateLimit: RequestHandler;
  logger: Logger;
}

/** Rejections listed in the answer; the rest are counted only. */
const MAX_LISTED = 100;

const querySchema = z.object({
  group: z.string({ required_error: 'group is required: the id of the group this export belongs to, e.g. ?group=wa:booth-114' }).trim().min(1, 'group must not be empty').max(256, 'group must be at most 256 characters'),
  timeZone: z.string().max(64).optional(),
  dateOrder: z.enum(['dmy', 'mdy'], { errorMap: () => ({ message: 'dateOrder must be dmy (31/12/2026) or mdy (12/31/2026)' }) }).optional(),
});

const TEXT_TYPES = ['text/plain', 'application/octet-stream'];

export function createChatExportRouter(deps: ChatExportRouterDeps): Router {
  const router = express.Router();
  router.post(
    '/v1/imports/whatsapp-export',
    authenticateSource(deps.sources),
    deps.rateLimit,
    function checkUpload(req: Request, res: Response, next: NextFunction) {
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (!TEXT_TYPES.includes(type)) {
        const hint = type.includes('zip') ? ' (unzip the export and upload the .txt file inside)' : '';
        res.status(415).json({ error: `unsupported Content-Type "${type || '(none)'}": upload the export's .txt file as text/plain${hint}` });
        return;
      }
      next();
    },
    express.text({ type: () => true, limit: deps.maxExportBytes }),
    async function importExport(req: Request, res: Response<unknown, { source: Source }>) {
      const query = querySchema.safeParse(req.query);
      if (!query.success) {
        res.status(400).json({ error: describeZodError(query.error) });
        return;
      }
      const timeZone = query.data.timeZone ?? deps.defaultTimeZone;
      try {
        assertTimeZone(timeZone);
      } catch {
        res.status(400).json({ error: `timeZone "${timeZone}" is not an IANA time zone (e.g. Asia/Kolkata)` });
        return;
      }
      const text = typeof req.body === 'string' ? req.body : '';
      const parsed = parseChatExport(text, { group: query.data.group, timeZone, dateOrder: query.data.dateOrder, digest: deps.digest });
      if (parsed.format === 'unknown') {
        res.status(400).json({ error: 'no WhatsApp export lines found: expected lines like "31/12/2026, 21:15 - Name: …" (Android) or "[31/12/2026, 21:15:42] Name: …" (iPhone)' });
        return;
      }
      const source = res.locals.source.name;
      let accepted = 0;
      const rejected: Rejection[] = [];
      try {
        for (let start = 0; start < parsed.events.length; start += deps.chunkEvents) {
          const chunk = parsed.events.slice(start, start + deps.chunkEvents).map((value, i) => ({ index: start + i, value }));
          const result = await deps.acceptEvents(source, chunk);
          accepted += result.accepted;
          rejected.push(...result.rejected);
        }
      } catch (error) {
        if (error instanceof BusUnavailableError) {
          answerBusUnavailable(res, error, 'import the file again later (nothing counts twice)', { accepted });
          return;
        }
        throw error;
      }
      deps.logger.info({ source, group: query.data.group, events: parsed.events.length, accepted, rejected: rejected.length }, 'chat export imported');
      res.status(202).json({
        group: query.data.group,
        format: parsed.format,
        dateOrder: parsed.dateOrder,
        dateOrderAssumed: parsed.dateOrderAssumed,
        timeZone,
        lines: parsed.lines,
        messages: parsed.messages,
        joins: parsed.joins,
        leaves: parsed.leaves,
        skipped: parsed.skipped,
        accepted,
        rejectedCount: rejected.length + parsed.problems.length,
        rejected: [
          ...parsed.problems.map((p) => ({ line: p.line, error: p.error })),
          ...rejected.map((r) => ({ event: r.index, error: r.error })),
        ].slice(0, MAX_LISTED),
      });
    },
  );
  return router;
}
