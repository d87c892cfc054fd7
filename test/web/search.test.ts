import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Search, type Found } from '../../web/src/lib/state/search.svelte.ts';

/** A server with booths 1..n and one group per booth, answering in natural order as the api does. */
function server(n: number) {
  const asked: { q: string; limit: number }[] = [];
  const units = Array.from({ length: n }, (_, i) => ({ id: `B${i + 1}`, name: `Booth ${i + 1}`, level: 'booth', division: 'd1' }));
  const groups = units.map((u) => ({ id: `wa:${u.id}`, title: `${u.name} voters`, unit: u.id, unitName: u.name, category: 'booth-voters', division: 'd1' }));
  const lookUp = async (q: string, limit: number) => {
    asked.push({ q, limit });
    return { ok: true as const, data: { units: units.slice(0, limit), groups: groups.slice(0, limit) } satisfies Found };
  };
  return { asked, lookUp };
}

async function typed(search: Search, text: string): Promise<void> {
  search.input(text);
  search.lookUpSoon();
  await vi.runAllTimersAsync();
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe("the board's search", () => {
  it('asks for one more than a page, lists units then groups, and offers more when there are', async () => {
    const { asked, lookUp } = server(30);
    const search = new Search(lookUp);
    await typed(search, 'booth');
    expect(asked).toEqual([{ q: 'booth', limit: 21 }]);
    expect(search.options.map((o) => o.kind)).toEqual([...Array(20).fill('unit'), ...Array(20).fill('group'), 'more']);
    expect(search.options[0]).toMatchObject({ kind: 'unit', href: '#/unit/B1' });
    expect(search.options[20]).toMatchObject({ kind: 'group', href: '#/unit/B1' });

    search.showMore();
    search.lookUpSoon();
    await vi.runAllTimersAsync();
    expect(asked.at(-1)).toEqual({ q: 'booth', limit: 51 });
    // All 30 of each now, and no "more".
    expect(search.options.length).toBe(60);
    expect(search.capped).toBe(false);
  });

  it('says when even the largest page is not all, so the viewer narrows the search', async () => {
    const search = new Search(server(150).lookUp);
    await typed(search, 'booth');
    search.showMore();
    search.lookUpSoon();
    await vi.runAllTimersAsync();
    search.showMore();
    search.lookUpSoon();
    await vi.runAllTimersAsync();
    expect(search.options.length).toBe(200);
    expect(search.options.some((o) => o.kind === 'more')).toBe(false);
    expect(search.capped).toBe(true);
  });

  it('moves through the options with the arrow keys, round at both ends', async () => {
    const search = new Search(server(2).lookUp);
    await typed(search, 'booth');
    expect(search.options.length).toBe(4);
    search.move(-1);
    expect(search.active).toBe(3);
    search.move(1);
    expect(search.active).toBe(0);
    search.move(1);
    search.move(1);
    expect(search.active).toBe(2);
  });

  it('asks nothing under two characters, starts again from the first page on typing, and empties on reset', async () => {
    const { asked, lookUp } = server(30);
    const search = new Search(lookUp);
    await typed(search, 'b');
    expect(asked).toEqual([]);
    expect(search.found).toBeNull();
    await typed(search, 'bo');
    search.showMore();
    search.move(1);
    search.input('boo');
    expect([search.page, search.active, search.open]).toEqual([0, -1, true]);
    search.reset();
    expect([search.text, search.found, search.open]).toEqual(['', null, false]);
  });

  it('shows only the answer to what is typed now: a cancelled look-up leaves nothing behind', async () => {
    const { asked, lookUp } = server(3);
    const search = new Search(lookUp);
    search.input('booth 1');
    const cancel = search.lookUpSoon();
    cancel();
    await vi.runAllTimersAsync();
    expect(asked).toEqual([]);
    expect(search.found).toBeNull();
  });
});
