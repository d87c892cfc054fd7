/**
 * Query parameters shared by the read API. Times are ISO-8601 with a zone, from 2000 to 2099 (well
 * inside what ClickHouse's DateTime holds): anything else is a 400 naming the parameter, never a
 * failed query.
 */
import { z } from 'zod';

const EARLIEST = Date.UTC(2000, 0, 1);
const LATEST = Date.UTC(2100, 0, 1);

/** An instant parameter `name`: required unless the caller adds `.optional()`. */
export const isoInstant = (name: string) =>
  z
    .string({ required_error: `${name} is required (ISO-8601, e.g. 2026-11-22T00:00:00Z)` })
    .datetime({ offset: true, message: `${name} must be ISO-8601 with a zone, e.g. 2026-11-22T00:00:00Z` })
    .transform((s) => new Date(s))
    .refine((date) => date.getTime() >= EARLIEST && date.getTime() < LATEST, { message: `${name} must be between 2000-01-01 and 2099-12-31` });
