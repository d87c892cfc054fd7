/**
 * The lead's action list: quiet groups gathered under the unit they sit on (a booth, usually), units in the
 * order of their longest-silent group, each with the people who answer for the unit, each group with its own
 * admins. Links to call and to open WhatsApp are made here. Pure.
 */
import type { ContactCard, QuietGroup } from '../../../common/contracts/board.ts';

export interface ActionBlock {
  unit: string;
  /** Units below the page's unit down to this one, top first. */
  path: QuietGroup['path'];
  /** People who answer for the unit or a unit above it (nearest first), once each. */
  contacts: ContactCard[];
  groups: QuietGroup[];
}

export function actionBlocks(groups: readonly QuietGroup[]): ActionBlock[] {
  const blocks = new Map<string, ActionBlock>();
  for (const group of groups) {
    let block = blocks.get(group.unit);
    if (!block) blocks.set(group.unit, (block = { unit: group.unit, path: group.path, contacts: [], groups: [] }));
    block.groups.push(group);
    for (const contact of group.contacts) {
      if (contact.group === '' && !block.contacts.some((c) => c.phone === contact.phone && c.unit === contact.unit)) block.contacts.push(contact);
    }
  }
  return [...blocks.values()];
}

/** The group's own people (its admins); its unit's are shown once on the block. */
export function ownContacts(group: QuietGroup): ContactCard[] {
  return group.contacts.filter((c) => c.group !== '');
}

/** `tel:` link of an E.164 number. */
export function callHref(phone: string): string {
  return `tel:${phone}`;
}

/** WhatsApp's click-to-chat link: the number's digits, no plus (https://wa.me/<number>). */
export function whatsAppHref(phone: string): string {
  return `https://wa.me/${phone.replace(/\D/g, '')}`;
}
