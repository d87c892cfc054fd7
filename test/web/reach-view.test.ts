import { afterEach, describe, expect, it, vi } from 'vitest';
import { ReachView } from '../../web/src/lib/pages/reach-view.svelte.ts';

afterEach(() => {
  vi.unstubAllGlobals();
});

const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });
const list = (day: string) => ({ day, timeZone: 'Asia/Kolkata', marksMinutes: [15, 60, 360, 1440], messages: [] });

describe("the Reach page's reads", () => {
  it('show the day asked for last, whichever answer comes last', async () => {
    let releaseToday: () => void = () => undefined;
    vi.stubGlobal('fetch', vi.fn(async (path: string) => {
      if (path === '/api/v1/board/reach') {
        // Today's list (the page's first read) answers after the viewer has picked another day.
        await new Promise<void>((resolve) => (releaseToday = resolve));
        return json(list('2026-12-08'));
      }
      return json(list('2026-12-07'));
    }));
    const view = new ReachView(() => 'token');
    const today = view.loadList(undefined);
    await view.loadList('2026-12-07');
    releaseToday();
    await today;
    expect(view.list?.day).toBe('2026-12-07');
  });
});
