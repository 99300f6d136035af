import { useEffect, useState } from 'preact/hooks';

// A tiny history router: the dashboard lives under /ui/ and the server answers every client route
// with index.html (src/ui/static.ts). Plain <a href={href(...)}> links are intercepted, so
// links keep working with middle-click, copy link and open-in-new-tab.

export const BASE = '/ui';

/** The absolute URL of a dashboard route ('/sites/…' → '/ui/sites/…'). */
export const href = (route: string): string => `${BASE}${route}`;

const listeners = new Set<() => void>();

/** The current route, without the /ui prefix ('/' for the fleet page). */
export function currentRoute(): string {
  const p = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : location.pathname;
  return p === '' ? '/' : p;
}

export function navigate(route: string, opts: { replace?: boolean } = {}): void {
  const url = href(route);
  if (opts.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  for (const l of listeners) l();
  if (!opts.replace) window.scrollTo(0, 0);
}

/** Re-renders on navigation; returns the current route and its query string. */
export function useRoute(): { path: string; query: URLSearchParams } {
  const [, setTick] = useState(0);
  useEffect(() => {
    const update = (): void => setTick((t) => t + 1);
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return { path: currentRoute(), query: new URLSearchParams(location.search) };
}

/** Matches '/sites/:id' against a route; returns the named segments (decoded) or null. */
export function match(pattern: string, route: string): Record<string, string> | null {
  const norm = (s: string): string[] => (s.replace(/\/+$/, '') || '/').split('/');
  const p = norm(pattern);
  const r = norm(route);
  if (p.length !== r.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const seg = p[i] as string;
    const val = r[i] as string;
    if (seg.startsWith(':')) {
      if (val === '') return null;
      try {
        params[seg.slice(1)] = decodeURIComponent(val);
      } catch {
        return null;
      }
    } else if (seg !== val) return null;
  }
  return params;
}

/** Sends same-origin clicks on dashboard links through the router instead of a page load. */
export function interceptLinks(): void {
  document.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element | null)?.closest?.('a');
    if (!a || a.target || a.hasAttribute('download') || a.origin !== location.origin) return;
    if (a.getAttribute('href')?.startsWith('#')) return; // in-page anchors (the skip link)
    if (a.pathname !== BASE && !a.pathname.startsWith(`${BASE}/`)) return;
    e.preventDefault();
    navigate(a.pathname.slice(BASE.length) + a.search);
  });
}
