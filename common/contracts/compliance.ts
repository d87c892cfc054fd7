/**
 * Group compliance (GET /api/v1/board/compliance): does every booth under a unit have the groups it should,
 * a pramukh in the directory who is in the booth's groups, and does every category group have its required
 * admin as an admin? Counts per child unit, and the booths and groups that fall short.
 */
import { z } from 'zod';

/** A required admin: groups of these categories must have, as an admin, the contact of this role on the unit of this level above them. */
export interface AdminRule {
  categories: string[];
  role: string;
  level: string;
}

export interface ComplianceCounts {
  id: string;
  name: string;
  booths: number;
  /** Booths without a group of one of the required categories. */
  missingGroups: number;
  /** Booths with no contact of the pramukh role in the directory. */
  noPramukh: number;
  /** Booths whose pramukh is in none of the booth's groups. */
  pramukhAbsent: number;
  /** Groups the admin rules apply to, and those whose required admin is not among their admins. */
  ruledGroups: number;
  adminMissing: number;
}

export type PramukhState = 'present' | 'absent' | 'none';

export interface BoothShortfall {
  id: string;
  name: string;
  /** Units below the page's unit down to the booth, top first. */
  path: { id: string; name: string }[];
  missing: string[];
  pramukh: PramukhState;
  /** The pramukh's name when there is one. */
  pramukhName: string;
}

export interface GroupShortfall {
  id: string;
  title: string;
  unit: string;
  unitName: string;
  category: string;
  /** The required admins not among the group's admins (by name and role); `noSnapshot` when no snapshot named admins. */
  missingAdmins: { person: string; role: string }[];
  noSnapshot: boolean;
}

export interface ComplianceAnswer {
  unit: string;
  unitName: string;
  asOf: string;
  required: { categories: string[]; pramukhRole: string; admins: AdminRule[] };
  total: ComplianceCounts;
  children: ComplianceCounts[];
  /** Booths that fall short, in tree order; `boothsTotal` of them in all. */
  booths: BoothShortfall[];
  boothsTotal: number;
  groups: GroupShortfall[];
  groupsTotal: number;
}

export const complianceQuerySchema = z.object({
  unit: z.string().default(''),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

export const adminRulesSchema = z.array(
  z.object({ categories: z.array(z.string().min(1)).min(1), role: z.string().min(1), level: z.string().min(1) }).strict(),
);
