import { describe, expect, it } from 'vitest';
import { alertConcernsUnit } from './alerts.ts';

describe('which unit pages an alert belongs on', () => {
  const quietGroupInB102 = { division: 'JPR', unitPath: ['RJ', 'JPR', 'JPR-D1', 'B102'] };
  const darkDistrict = { division: 'JPR', unitPath: ['RJ', 'JPR', 'JPR-D1'] };
  const sourceDown = { division: '', divisions: ['JPR', 'AJM'], unitPath: [] };

  it('on its own unit and every unit above it, not on a sibling booth', () => {
    for (const unit of ['B102', 'JPR-D1', 'JPR', 'RJ']) expect(alertConcernsUnit(quietGroupInB102, unit, unit === 'JPR')).toBe(true);
    expect(alertConcernsUnit(quietGroupInB102, 'B101', false)).toBe(false);
    expect(alertConcernsUnit(quietGroupInB102, 'AJM', true)).toBe(false);
    expect(alertConcernsUnit(darkDistrict, 'B101', false)).toBe(false);
  });

  it("a source that feeds a division only on that division's page", () => {
    expect(alertConcernsUnit(sourceDown, 'JPR', true)).toBe(true);
    expect(alertConcernsUnit(sourceDown, 'AJM', true)).toBe(true);
    expect(alertConcernsUnit(sourceDown, 'B101', false)).toBe(false);
    expect(alertConcernsUnit(sourceDown, 'RJ', false)).toBe(false);
  });
});
