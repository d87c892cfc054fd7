import { describe, expect, it } from 'vitest';
import { shortGroupId } from './group-titles.ts';

describe('shortGroupId', () => {
  it('keeps the last four characters of the bare id, or a short id whole', () => {
    expect(shortGroupId('wa:120363041234567890@g.us')).toBe('…7890');
    expect(shortGroupId('tg:-1001234567')).toBe('…4567');
    expect(shortGroupId('wa:g2')).toBe('g2');
  });
});
