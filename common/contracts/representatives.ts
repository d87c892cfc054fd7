/**
 * Leaders' social reach (GET /api/v1/board/representatives): each representative's public account weighed
 * against the voters of their unit, its growth and how often they post; and per unit, how its representatives do.
 */
import { z } from 'zod';

export interface Scorecard {
  id: string;
  person: string;
  role: string;
  unit: string;
  unitName: string;
  platform: string;
  account: string;
  /** The latest account_snapshot's followers; null when none came. */
  followers: number | null;
  followersAt: string | null;
  /** Followers now minus 7 and 30 days ago (the last snapshot at or before then); null when either is unknown. */
  growth7: number | null;
  growth30: number | null;
  /** Days (in the board's time zone) with at least one post, of the last 7 and 30. */
  postDays7: number;
  postDays30: number;
  /** null: no post in the last 90 days. */
  lastPostAt: string | null;
  /** Voters of the unit (its own figure, else the sum of its children's); null when the directory has none. */
  voters: number | null;
  /** followers ÷ voters; null when either is unknown. */
  share: number | null;
  /** share is known and below the target. */
  belowTarget: boolean;
}

export interface UnitScore {
  unit: string;
  unitName: string;
  representatives: number;
  followers: number;
  belowTarget: number;
  /** Representatives with no post in the last 7 days. */
  silent7: number;
}

export interface RepresentativesAnswer {
  unit: string;
  /** The unit's name ('' for the whole organisation). */
  unitName: string;
  asOf: string;
  /** The share of their unit's voters a representative should have as followers (REPRESENTATIVE_FOLLOWER_TARGET). */
  target: number;
  /** Every role among the representatives in scope, for the filter. */
  roles: string[];
  /** Ranked by share, then followers (unknown last). */
  representatives: Scorecard[];
  /** The units the representatives answer for, most below target first. */
  units: UnitScore[];
}

export const representativesQuerySchema = z.object({
  unit: z.string().default(''),
  role: z.string().max(64).optional(),
});
