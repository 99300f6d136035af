import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

// A fake RouterOS v7 REST API on 127.0.0.1. `POST /rest/execute` answers the way RouterOS does for
// a background script ({"ret":"*<id>"}) and then, like the router running the poll script, calls
// `onExecute` shortly after the reply has gone out. fixtures/ holds a self-signed certificate for
// IP 127.0.0.1 and its key, made for these tests only.

export type Behaviour = 'ok' | 'hang' | number;

export interface ExecuteCall {
  method: string;
  path: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: unknown;
}

export interface FakeRouter {
  port: number;
  calls: ExecuteCall[];
  /** Requests the caller closed before the fake answered (behaviour 'hang'). */
  abandoned: number;
  behaviour: Behaviour;
  /** What the router does after accepting an execute (the simulated poll). */
  onExecute: (() => Promise<unknown>) | null;
  /** Settles once the simulated poll (if any) has finished. */
  executed: Promise<unknown>;
  close(): Promise<void>;
}

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
export const ROUTER_CERT = fixture('router-cert.pem');

/** Starts a fake router; `tls` serves HTTPS with the fixture certificate. */
export async function startFakeRouter(behaviour: Behaviour = 'ok', opts: { tls?: boolean } = {}): Promise<FakeRouter> {
  let resolveExecuted: (v: unknown) => void = () => undefined;
  const router: FakeRouter = {
    port: 0,
    calls: [],
    abandoned: 0,
    behaviour,
    onExecute: null,
    executed: new Promise((r) => (resolveExecuted = r)),
    close: () => Promise.resolve(),
  };
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // keep the raw text
      }
      router.calls.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization, contentType: req.headers['content-type'], body });
      const b = router.behaviour;
      if (b === 'hang') {
        // Never answers: the caller's timeout must fire and close the request.
        res.on('close', () => router.abandoned++);
        return;
      }
      if (typeof b === 'number') {
        res.writeHead(b, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: b, message: b === 401 ? 'Unauthorized' : 'Internal Server Error' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      // The script runs in the background on the router, after /rest/execute has answered.
      res.end(JSON.stringify({ ret: '*3f' }), () => {
        const run = router.onExecute;
        if (run) setTimeout(() => void run().then(resolveExecuted, resolveExecuted), 50);
      });
    });
  };
  const server: Server = opts.tls
    ? createHttpsServer({ cert: ROUTER_CERT, key: fixture('router-key.pem') }, handle)
    : createHttpServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  router.port = (server.address() as AddressInfo).port;
  router.close = () =>
    new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    });
  return router;
}
