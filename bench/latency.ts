import { createServer } from 'node:http';
import { createOperator } from '../sim/fleet/operator.js';
import { startFleet } from '../sim/fleet/fleet.js';
import { BENCH_JWT_SECRET, benchConfig, cleanupBench, envFor, seedFleet } from './lib/fleet.js';
import { printTable, writeResult } from './lib/report.js';
import { startNode } from './lib/servers.js';

// Time from job creation to a simulated router running it (the payload's execution marker), with
// and without express execute. The router polls on a 30 s schedule (BENCH_POLL_SECONDS); with
// express, a fake RouterOS REST endpoint on 127.0.0.1 makes it poll at once when asked, as
// `/system script run tikops-poll` would on a real router.

const POLL_SECONDS = Number(process.env.BENCH_POLL_SECONDS ?? 30);
const SAMPLES_EXPRESS = Number(process.env.BENCH_EXPRESS_SAMPLES ?? 10);
const SAMPLES_PLAIN = Number(process.env.BENCH_PLAIN_SAMPLES ?? 4);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Row {
  mode: string;
  samples: number;
  p50s: number;
  maxs: number;
}

const stats = (mode: string, xs: number[]): Row => {
  const s = [...xs].sort((a, b) => a - b);
  return { mode, samples: s.length, p50s: s[Math.floor(s.length / 2)]! / 1000, maxs: s.at(-1)! / 1000 };
};

export async function latencyBench(): Promise<Row[]> {
  const config = benchConfig(3930);
  await seedFleet(config, 1, 0);
  const env = envFor(config, { OUTBOUND_ALLOWLIST: '127.0.0.1/32', WORKER_METRICS_PORT: '0' });
  const api = await startNode(['--import', 'tsx', 'src/main.ts'], env, `${config.publicUrl}/healthz`);
  const worker = await startNode(['--import', 'tsx', 'workers/main.ts'], { ...env, PORT: '3931' }, `${config.publicUrl}/healthz`);
  const operator = createOperator(api.url, BENCH_JWT_SECRET, 'latency-org');
  const runbook = await operator.createRunbook('latency');
  const fleet = await startFleet({ url: api.url, runbookToken: runbook.token, routers: 1, intervalMs: POLL_SECONDS * 1000, seed: 9 });
  const router = fleet.routers[0]!;
  const rest = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ret":"*1"}');
    void router.tick();
  });
  await new Promise<void>((r) => rest.listen(3939, '127.0.0.1', r));
  const [siteId] = await operator.siteIds();
  await operator.request('PUT', `/site/${siteId}/management`, {
    address: '127.0.0.1', port: 3939, use_tls: false, username: 'tikops', password: 'bench-password',
  });

  const measure = async (express: boolean, n: number): Promise<number[]> => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const tag = `lat-${express ? 'x' : 'p'}-${i}-${Date.now()}`;
      const t0 = Date.now();
      await operator.createJob(siteId!, tag, { express });
      while (!fleet.ledger.jobs.get(tag)?.firstExecutedAt) await sleep(5);
      out.push(fleet.ledger.jobs.get(tag)!.firstExecutedAt! - t0);
      await sleep(200);
    }
    return out;
  };
  const rows = [stats('express execute', await measure(true, SAMPLES_EXPRESS)), stats(`regular ${POLL_SECONDS}s poll`, await measure(false, SAMPLES_PLAIN))];
  await fleet.stop();
  rest.close();
  await worker.stop();
  await api.stop();
  return rows;
}

/** Runs the benchmark, prints its table and writes its JSON. */
export async function main(): Promise<void> {
  const rows = await latencyBench();
  printTable('time from job creation to the router running it', rows, [
    ['mode', (r) => r.mode],
    ['samples', (r) => String(r.samples)],
    ['p50 s', (r) => r.p50s.toFixed(2)],
    ['max s', (r) => r.maxs.toFixed(2)],
  ]);
  writeResult('latency', { pollSeconds: POLL_SECONDS, rows });
}

if (import.meta.url === `file://${process.argv[1]}`) await main().finally(cleanupBench);
