import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import pg from 'pg';
import { insertFrom } from '../../src/audit/audit.service.js';
import { createStatement } from '../../src/jobs/jobs.repo.js';
import { uuidToBase62 } from '../../src/lib/ids.js';

// The reference for job creation: a minimal node:http server running the very statement tikops
// runs on its happy path (the guarded insert with its created event and audit row, as a named
// prepared statement on a pg pool of the same size), and nothing else: no credential, no
// validation, no rate limit, no Redis push. It answers 201 with the new job's id.

const port = Number(process.env.PORT ?? 3902);
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DATABASE_POOL_SIZE ?? 10) });
const ORG = 'bench-org';
const by = { org: ORG, actor: 'jwt:-', requestId: 'bench', source: '127.0.0.1' };

async function create(siteId: string, key: string, script: string): Promise<string> {
  const id = randomUUID();
  const now = new Date();
  const s = createStatement(
    {
      id, siteId, orgId: ORG, token: uuidToBase62(id), idempotencyKey: key, requestHash: 'reference', description: 'bench job',
      script, expressExecute: false, needsAck: false, shouldBackup: false, notifyUrl: null, leaseSeconds: 120, timeoutSeconds: 900,
      createdBy: by.actor,
    },
    now,
    { allowDeleted: false, v7Only: false },
    insertFrom('j', by, 'job.create', 'job:', { site_id: siteId, description: 'bench job' }),
  );
  const { rows } = await pool.query<{ seq: string }>({ name: 'create', text: s.text, values: s.values });
  if (rows.length === 0) throw new Error('no such site');
  return id;
}

let failures = 0;
createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const siteId = (req.url ?? '').split('/')[2] ?? '';
    const key = String(req.headers['x-idempotency-key'] ?? '');
    create(siteId, key, Buffer.concat(chunks).toString('utf8')).then(
      (id) => {
        const body = JSON.stringify({ id });
        res.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      },
      (err: unknown) => {
        if (failures++ < 3) console.error('reference: create failed:', err);
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err));
      },
    );
  });
}).listen(port, '127.0.0.1');
