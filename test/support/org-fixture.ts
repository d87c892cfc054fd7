/**
 * The small organisation the board's tests share: Rajasthan with the divisions Jaipur and Ajmer,
 * a district, three booths and five groups (titles to search by, two categories per booth in
 * Jaipur) and the people to call (a booth's pramukh, the district's in-charge, a group's admin).
 * Imported through the real directory API as an admin.
 */
export const ORG_UNITS = [
  { id: 'RJ', name: 'Rajasthan', level: 'state', parent: '' },
  { id: 'JPR', name: 'Jaipur', level: 'division', parent: 'RJ' },
  { id: 'AJM', name: 'Ajmer', level: 'division', parent: 'RJ' },
  { id: 'JPR-D1', name: 'Jaipur City', level: 'district', parent: 'JPR' },
  { id: 'B101', name: 'Booth 101 Sanganer', level: 'booth', parent: 'JPR-D1' },
  { id: 'B102', name: 'Booth 102 Malviya Nagar', level: 'booth', parent: 'JPR-D1' },
  { id: 'B201', name: 'Booth 201 Kishangarh', level: 'booth', parent: 'AJM' },
];

export const ORG_GROUPS = [
  { id: 'wa:g1', unit: 'B101', category: 'booth-voters', title: 'Sanganer voters' },
  { id: 'wa:g2', unit: 'B101', category: 'youth', title: 'Sanganer yuva' },
  { id: 'wa:g3', unit: 'B102', category: 'booth-voters', title: 'Malviya Nagar voters' },
  { id: 'wa:g4', unit: 'B201', category: 'booth-voters', title: 'Kishangarh voters' },
  { id: 'wa:g5', unit: 'B201', category: 'women', title: 'Kishangarh mahila' },
];

export const ORG_CONTACTS = [
  { person: 'Sunita Devi', role: 'booth pramukh', phone: '+91 98290 12345', unit: 'B101' },
  { person: 'Mohan Lal', role: 'district in-charge', phone: '094140 55555', unit: 'JPR-D1' },
  { person: 'Ramesh Kumar', role: 'group admin', phone: '9829011111', group: 'wa:g3' },
];

/** Import ORG_UNITS, ORG_GROUPS and ORG_CONTACTS into the deployment at `url`; throws with the answer unless each is taken. */
export async function importOrg(url: string, adminToken: string): Promise<void> {
  for (const [kind, rows] of [['units', ORG_UNITS], ['groups', ORG_GROUPS], ['contacts', ORG_CONTACTS]] as const) {
    const response = await fetch(`${url}/api/v1/directory/${kind}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ [kind]: rows }),
    });
    if (response.status !== 200) throw new Error(`importing ${kind} answered ${response.status}: ${await response.text()}`);
  }
}

/** The groups above booth that the reach tests send messages down from: the state's core team and Jaipur's office-bearers. */
export const UPPER_GROUPS = [
  { id: 'wa:state', unit: 'RJ', category: 'office-bearers', title: 'Rajasthan core team' },
  { id: 'wa:jpr', unit: 'JPR', category: 'office-bearers', title: 'Jaipur office-bearers' },
];

/** importOrg, then UPPER_GROUPS merged in. */
export async function importOrgWithUpperGroups(url: string, adminToken: string): Promise<void> {
  await importOrg(url, adminToken);
  const response = await fetch(`${url}/api/v1/directory/groups?mode=merge`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ groups: UPPER_GROUPS }),
  });
  if (response.status !== 200) throw new Error(`importing the upper groups answered ${response.status}: ${await response.text()}`);
}
