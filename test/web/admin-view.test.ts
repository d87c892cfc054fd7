import { afterEach, describe, expect, it, vi } from 'vitest';
import { AdminView } from '../../web/src/lib/pages/admin-view.svelte.ts';

afterEach(() => {
  vi.unstubAllGlobals();
});

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
const display = (id: string, label: string) => ({ id, label, unit: '', createdBy: 'admin', createdAt: '2026-12-07T10:00:00Z', expiresAt: '2027-12-07T10:00:00Z' });

describe("the admin page's reads and actions", () => {
  it('do not let a read that began before an action put back the list the action changed', async () => {
    const server = { displays: [display('d1', 'Old')] };
    let releaseFirstRead: () => void = () => undefined;
    let reads = 0;
    vi.stubGlobal('fetch', vi.fn(async (path: string, init?: RequestInit) => {
      if (path === '/api/v1/admin/displays' && init?.method === 'POST') {
        const made = display('d2', 'Central lobby');
        server.displays = [made, ...server.displays];
        return json({ display: made, url: 'http://board/#display=x' }, 201);
      }
      if (path === '/api/v1/admin/displays') {
        // The first read answers what the server had before the display was made, after it was made.
        const answer = { displays: [...server.displays] };
        if (reads++ === 0) await new Promise<void>((resolve) => (releaseFirstRead = resolve));
        return json(answer);
      }
      if (path === '/api/v1/admin/users') return json({ users: [] });
      if (path === '/api/v1/admin/alert-rules') return json({ rules: {}, edited: null, origin: { kind: 'defaults' } });
      return json({ failures: [] });
    }));
    const view = new AdminView(() => 'token');
    const loading = view.load();
    await vi.waitFor(() => expect(reads).toBe(1));
    await view.createDisplay('Central lobby', '');
    releaseFirstRead();
    await loading;
    expect(view.displays.map((d) => d.label)).toEqual(['Central lobby', 'Old']);
  });
});
