/**
 * Error answers of the api: the English `error` for API users and a stable `code` the board says in the
 * viewer's language (common/contracts/errors.ts). A zod refusal also names its first field.
 */
import type { Response } from 'express';
import type { z } from 'zod';
import type { ErrorAnswer, ErrorCode } from '../common/contracts/errors.ts';
import { describeZodError } from '../common/events.ts';

export function answerError(res: Response, status: number, code: ErrorCode, error: string, extra: Record<string, unknown> = {}): void {
  res.status(status).json({ ...extra, error, code } satisfies ErrorAnswer);
}

/** 400 for what `schema.safeParse` refused: every problem in English, the first field named. */
export function answerInvalid(res: Response, error: z.ZodError): void {
  const field = error.issues.find((issue) => issue.path.length > 0)?.path[0];
  answerError(res, 400, 'invalid-request', describeZodError(error), field === undefined ? {} : { field: String(field) });
}
