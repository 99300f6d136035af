import { createServer, request, type Server } from 'node:http';

// A round-robin HTTP load balancer for the drill: routers and operators talk to one address while
// API processes come and go behind it, as behind a real load balancer. A request whose upstream
// refuses the connection is retried on the next one (the request was never processed).

export interface Balancer {
  url: string;
  setUpstreams(ports: number[]): void;
  close(): Promise<void>;
}

export async function startBalancer(port: number, upstreams: number[]): Promise<Balancer> {
  let ports = [...upstreams];
  let next = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const attempt = (tries: number): void => {
        const target = ports[next++ % Math.max(ports.length, 1)];
        if (target === undefined) {
          res.writeHead(503).end();
          return;
        }
        const up = request(
          { host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: req.headers },
          (ur) => {
            res.writeHead(ur.statusCode ?? 502, ur.headers);
            ur.pipe(res);
          },
        );
        up.on('error', (err: NodeJS.ErrnoException) => {
          if (err.code === 'ECONNREFUSED' && tries < ports.length) return attempt(tries + 1);
          if (!res.headersSent) res.writeHead(502).end();
          else res.destroy();
        });
        up.end(body);
      };
      attempt(1);
    });
  });
  // Idle client connections stay open longer than the clients keep them (undici: 4 s), as a real
  // load balancer's do; at Node's default 5 s a loaded machine races a reused socket's close.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${port}`,
    setUpstreams: (p) => {
      ports = [...p];
    },
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
