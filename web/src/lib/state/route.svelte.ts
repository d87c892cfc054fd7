/**
 * Which page the board shows, kept in the URL's hash so a reload, the back button and a shared
 * link land on the same page: `#/` the central board, `#/unit/<id>` a unit's drill-down,
 * `#/sql` the analysts' console, `#/admin` alert rules, users, wall displays and sign-outs, `#/reach` message
 * reach (`#/reach/<id>` one message), `#/leaders[/<unit>]` the representatives' scorecards and
 * `#/compliance[/<unit>]` group compliance (a lead's without a unit: their division's), `#/notify` the user's
 * own alert channels (NotifyPage), `#/notify/<username>` someone's, for an admin.
 */
export type Route =
  | { page: 'board' }
  | { page: 'unit'; unit: string }
  | { page: 'sql' }
  | { page: 'admin' }
  | { page: 'notify'; user: string }
  | { page: 'reach'; message?: string }
  | { page: 'leaders'; unit: string }
  | { page: 'compliance'; unit: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '');
  const unit = /^\/unit\/(.+)$/.exec(path);
  if (unit) return { page: 'unit', unit: decodeURIComponent(unit[1]!) };
  const ofUnit = /^\/(leaders|compliance)(?:\/(.+))?$/.exec(path);
  if (ofUnit) return { page: ofUnit[1] as 'leaders' | 'compliance', unit: ofUnit[2] ? decodeURIComponent(ofUnit[2]) : '' };
  const notify = /^\/notify(?:\/(.+))?$/.exec(path);
  if (notify) return { page: 'notify', user: notify[1] ? decodeURIComponent(notify[1]) : '' };
  const reach = /^\/reach(?:\/(.+))?$/.exec(path);
  if (reach) return reach[1] ? { page: 'reach', message: decodeURIComponent(reach[1]) } : { page: 'reach' };
  if (path === '/sql') return { page: 'sql' };
  if (path === '/admin') return { page: 'admin' };
  return { page: 'board' };
}

export function hrefOf(route: Route): string {
  if (route.page === 'unit') return `#/unit/${encodeURIComponent(route.unit)}`;
  if (route.page === 'leaders' || route.page === 'compliance') return route.unit ? `#/${route.page}/${encodeURIComponent(route.unit)}` : `#/${route.page}`;
  if (route.page === 'reach') return route.message ? `#/reach/${encodeURIComponent(route.message)}` : '#/reach';
  if (route.page === 'sql') return '#/sql';
  if (route.page === 'admin') return '#/admin';
  if (route.page === 'notify') return route.user ? `#/notify/${encodeURIComponent(route.user)}` : '#/notify';
  return '#/';
}

export class Router {
  route = $state<Route>(parseRoute(globalThis.location?.hash ?? ''));

  constructor(win: Window = window) {
    win.addEventListener('hashchange', () => (this.route = parseRoute(win.location.hash)));
  }

  go(route: Route, replace = false): void {
    const href = hrefOf(route);
    if (replace) history.replaceState(null, '', href);
    else if (location.hash !== href) location.hash = href;
    this.route = route;
  }
}
