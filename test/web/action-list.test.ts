import { describe, expect, it } from 'vitest';
import type { ContactCard, QuietGroup } from '../../common/contracts/board.ts';
import { actionBlocks, callHref, ownContacts, whatsAppHref } from '../../web/src/lib/action-list.ts';

const pramukh: ContactCard = { person: 'Sunita Devi', role: 'booth pramukh', phone: '+919829012345', unit: 'b1', group: '' };
const mandal: ContactCard = { person: 'Mohan Lal', role: 'mandal in-charge', phone: '+919414055555', unit: 'm1', group: '' };
const admin: ContactCard = { person: 'Ramesh Kumar', role: 'group admin', phone: '+919829011111', unit: '', group: 'g1' };
const group = (id: string, unit: string, contacts: ContactCard[]): QuietGroup => ({
  id, title: id, unit, unitName: unit, category: 'youth', lastMessageAt: null, thresholdHours: 48, path: [{ id: unit, name: unit, level: 'booth' }], contacts,
});

describe('the lead\'s action list', () => {
  it('gathers quiet groups under their unit in the order of the longest silent, the unit\'s people once', () => {
    const blocks = actionBlocks([group('g1', 'b1', [admin, pramukh, mandal]), group('g2', 'b2', [mandal]), group('g3', 'b1', [pramukh, mandal])]);
    expect(blocks.map((b) => [b.unit, b.groups.map((g) => g.id), b.contacts.map((c) => c.person)])).toEqual([
      ['b1', ['g1', 'g3'], ['Sunita Devi', 'Mohan Lal']],
      ['b2', ['g2'], ['Mohan Lal']],
    ]);
    expect(ownContacts(blocks[0]!.groups[0]!)).toEqual([admin]);
  });

  it('calls the number and opens WhatsApp on its digits', () => {
    expect(callHref('+919829012345')).toBe('tel:+919829012345');
    expect(whatsAppHref('+919829012345')).toBe('https://wa.me/919829012345');
  });
});
