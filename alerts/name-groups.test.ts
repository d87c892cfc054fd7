import { describe, expect, it } from 'vitest';
import type { Alert } from '../common/contracts/alerts.ts';
import { nameGroups } from './name-groups.ts';

const alert = (over: Partial<Alert>): Alert =>
  ({ id: 'a', rule: 'group-inactive', subjectKind: 'group', subject: 'wa:g2', message: 'group wa:g2 silent for 2 days (threshold 1 day)', details: { silentHours: 48 }, ...over }) as Alert;

describe('nameGroups', () => {
  it('puts the title in the details and the message of group alerts that have one', () => {
    const alerts = [alert({}), alert({ subject: 'wa:g9', message: 'group wa:g9 silent for 3 h (threshold 1 h)' }), alert({ rule: 'unit-dark', subjectKind: 'unit', subject: 'wa:g2', message: 'unit wa:g2 is dark' })];
    nameGroups(alerts, new Map([['wa:g2', 'Sanganer yuva']]));
    expect(alerts[0]).toMatchObject({ message: 'group "Sanganer yuva" (wa:g2) silent for 2 days (threshold 1 day)', details: { silentHours: 48, title: 'Sanganer yuva' } });
    expect(alerts[1]).toMatchObject({ message: 'group wa:g9 silent for 3 h (threshold 1 h)', details: { silentHours: 48 } });
    expect(alerts[1]!.details.title).toBeUndefined();
    expect(alerts[2]).toMatchObject({ message: 'unit wa:g2 is dark' });
    expect(alerts[2]!.details.title).toBeUndefined();
  });
});
