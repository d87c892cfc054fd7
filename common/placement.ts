/**
 * Where a group sits in the organisation: what directory/ knows and processor/ stamps on every event
 * (the contract between the two, so neither imports the other). Until the group directory knows a
 * group, it rolls up under division/category `unassigned`.
 */
export const UNASSIGNED = 'unassigned';

export interface Placement {
  division: string;
  category: string;
  /** Unit ids from the top of the tree down to the group's unit. */
  unitPath: string[];
}

export const UNASSIGNED_PLACEMENT: Readonly<Placement> = Object.freeze({ division: UNASSIGNED, category: UNASSIGNED, unitPath: [] });

export interface Directory {
  /** Placement of a group; never throws, unknown groups get UNASSIGNED_PLACEMENT. */
  place(groupId: string): Placement;
}

export const emptyDirectory: Directory = { place: () => UNASSIGNED_PLACEMENT };
