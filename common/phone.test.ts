import { describe, expect, it } from 'vitest';
import { createPersonNormaliser, phoneNumberOf } from './phone.ts';

describe('person ids that are phone numbers', () => {
  const india = createPersonNormaliser('IN');

  it('one Indian number written every usual way is one id (E.164)', () => {
    for (const written of ['+91 98123 45678', '919812345678', '09812345678', '9812345678', '+91-98123-45678', '(+91) 98123.45678', '+919812345678']) {
      expect(india(written), written).toBe('+919812345678');
    }
  });

  it('a number with its country code keeps its country; without the plus, the default country is tried first', () => {
    expect(india('+44 7911 123456')).toBe('+447911123456');
    expect(india('+1 415 555 2671')).toBe('+14155552671');
    expect(india('447911123456')).toBe('+447911123456'); // not a valid Indian number
  });

  it('the default country comes from config', () => {
    expect(createPersonNormaliser('GB')('07911 123456')).toBe('+447911123456');
    expect(() => createPersonNormaliser('XX')).toThrow(/unknown country "XX"/);
  });

  it('leaves ids that are not phone numbers alone, and unifies the spellings of an invalid number', () => {
    for (const id of ['tg:123456789', 'US.13491208655302741918', 'Ramesh Kumar', 'wa:120363025246125486@g.us', '-1001234567890', '12345', 'abc 98123 45678']) {
      expect(india(id), id).toBe(id);
    }
    expect(india('000 111 2222')).toBe(india('0001112222'));
  });
});

describe('phone numbers of directory contacts', () => {
  it('are E.164 when valid, written any usual way', () => {
    for (const written of ['+91 98123 45678', '919812345678', '09812345678', '98123 45678']) expect(phoneNumberOf(written, 'IN'), written).toBe('+919812345678');
    expect(phoneNumberOf('+44 7911 123456', 'IN')).toBe('+447911123456');
  });

  it('are refused when not a number anyone can call', () => {
    for (const written of ['12345', '000 111 2222', 'Ramesh', '+91 1234', '']) expect(phoneNumberOf(written, 'IN'), written).toBeUndefined();
  });

});
