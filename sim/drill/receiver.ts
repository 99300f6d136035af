import { createServer, type Server } from 'node:http';

// A notify_url receiver on 127.0.0.1 that fails a share of deliveries (so retries happen) and
// remembers every delivery id it accepted.

export interface Receiver {
  url: string;
  accepted: Set<string>;
  received: number;
  close(): Promise<void>;
}

export async function startReceiver(port: number, failRate: number, random: () => number): Promise<Receiver> {
  const accepted = new Set<string>();
  let received = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received++;
      if (random() < failRate) {
        res.writeHead(500).end('try later');
        return;
      }
      try {
        const event = JSON.parse(Buffer.concat(chunks).toString()) as { id?: string };
        if (event.id) accepted.add(event.id);
      } catch {
        res.writeHead(400).end();
        return;
      }
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${port}/hook`,
    accepted,
    get received() {
      return received;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
