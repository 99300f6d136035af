import { createFakeHost, type FakeHost, type FetchReply } from '../../sim/routeros/fake-host.js';
import type { FetchRequest } from '../../sim/routeros/state-types.js';

/**
 * A simulated router's network whose /tool fetch reaches the test app over real HTTP, except where
 * `intercept` answers itself. Redirects are the script's business: RouterOS's fetch follows none.
 */
export function appHost(intercept: (req: FetchRequest) => FetchReply | null = () => null): FakeHost {
  return createFakeHost(async (req) => {
    const own = intercept(req);
    if (own) return own;
    const res = await fetch(req.url, { method: req.method, headers: req.headers, redirect: 'manual', ...(req.body === undefined ? {} : { body: req.body }) });
    return { status: res.status, body: await res.text() };
  });
}
