/**
 * Who an alert concerns. Pure and free of Node imports: the board (web/) filters its alerts feed
 * with the same function the server routes and scopes alerts by.
 */
export interface AlertAudienceFields {
  /** Division the subject belongs to ('' for a source). */
  division: string;
  /** For source-down: every division whose groups the source feeds. */
  divisions?: string[];
  /** The unit an unacknowledged alert escalated to ('' when it did not). */
  escalatedUnit?: string;
}

/**
 * Units whose leads and rooms an alert reaches: its division, the divisions a down source feeds, and
 * the unit it escalated to. Empty = central monitoring only (admins, monitors, analysts).
 */
export function alertAudience(alert: AlertAudienceFields): string[] {
  return [...new Set([alert.division, ...(alert.divisions ?? []), alert.escalatedUnit ?? ''].filter(Boolean))];
}

export interface AlertPlaceFields extends AlertAudienceFields {
  /** Units from the top of the tree down to the alert's subject (empty for a source). */
  unitPath?: readonly string[];
}

/**
 * Whether an alert belongs on a unit's page: its subject is that unit or lies under it; on a
 * division's page also the down sources that feed the division (they have no place in the tree).
 */
export function alertConcernsUnit(alert: AlertPlaceFields, unit: string, unitIsDivision: boolean): boolean {
  if (alert.unitPath?.includes(unit)) return true;
  return unitIsDivision && (alert.divisions ?? []).includes(unit);
}
