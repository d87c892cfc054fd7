/**
 * GET /api/v1/summary?from&to[&division] — the fixed probe of the read side: per division × category
 * over [from, to), messages, distinct active groups and senders, joins, leaves (division and category by id).
 */
import { z } from 'zod';
import { isoInstant } from './params.ts';

export interface SummaryRow {
  division: string;
  category: string;
  messages: number;
  activeGroups: number;
  activeSenders: number;
  joins: number;
  leaves: number;
}

export interface SummaryAnswer {
  from: string;
  to: string;
  rows: SummaryRow[];
}

export const summaryQuerySchema = z
  .object({ from: isoInstant('from'), to: isoInstant('to'), division: z.string().min(1).optional() })
  .refine((p) => p.from < p.to, { message: 'from must be before to' });
