import { createServer } from 'node:http';
import pg from 'pg';
import { parseHeartbeat } from '../../src/routeros/heartbeat.js';
import { createDeviceTokens } from '../../src/tokens/device-token.js';
import { BENCH_SIGNING_KEY } from '../lib/fleet.js';

// The baseline: the same poll done the straightforward way, PostgreSQL only. Every poll writes
// the heartbeat (UPDATE site) and looks for the next job with SELECT … FOR UPDATE SKIP LOCKED
// inside a transaction, marking it delivered when found. Same token check, same body parsing.

const port = Number(process.env.PORT ?? 3901);
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DATABASE_POOL_SIZE ?? 10) });
const tokens = createDeviceTokens(BENCH_SIGNING_KEY);

async function poll(siteId: string, from: string): Promise<string> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('UPDATE site SET updated_at = now(), name = name WHERE id = $1', [siteId]);
    const busy = await client.query(
      `SELECT 1 FROM job WHERE site_id = $1 AND state IN ('delivered', 'started') LIMIT 1`,
      [siteId],
    );
    let script = '';
    if (busy.rowCount === 0) {
      const next = await client.query<{ id: string; script: string }>(
        `SELECT id, script FROM job WHERE site_id = $1 AND state = 'queued' ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED`,
        [siteId],
      );
      const job = next.rows[0];
      if (job) {
        await client.query(`UPDATE job SET state = 'delivered', attempt = attempt + 1, delivered_at = now() WHERE id = $1`, [job.id]);
        script = `# job ${job.id} from ${from}\n${job.script}\n# tikops-end\n`;
      }
    }
    await client.query('COMMIT');
    return script;
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
  }
}

createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const device = tokens.verify((req.headers.authorization ?? '').slice(7));
    if (!device) {
      res.writeHead(401).end();
      return;
    }
    parseHeartbeat(Buffer.concat(chunks).toString());
    poll(device.siteId, req.socket.remoteAddress ?? '').then(
      (body) => res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(body),
      () => res.writeHead(500).end(),
    );
  });
}).listen(port, '127.0.0.1');
