import { benchConfig, cleanupBench, envFor, seedFleet } from './lib/fleet.js';
import { pollLoad, runLoad, type LoadResult } from './lib/load.js';
import { printTable, writeResult } from './lib/report.js';
import { cpuMs, rssMiB, startNode, type Server } from './lib/servers.js';

// Poll throughput and latency of one tikops API process (no workers running) against 5,000
// registered sites with jobs pending for 10% of them, beside (a) a bare Node http server answering
// the same request — the ceiling of HTTP alone — (b) the reference: bare Node http plus one EVALSHA
// of the real poll script (bench/targets/bare-evalsha.ts), and (c) a straightforward
// PostgreSQL-only poll (heartbeat UPDATE + SELECT … FOR UPDATE SKIP LOCKED per poll), all driven by
// the same wrk load and the same tokens on this machine in one run. Each target that pops jobs
// starts from a freshly seeded fleet.

const SITES = Number(process.env.BENCH_SITES ?? 5_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);

interface Row extends LoadResult {
  target: string;
  /** CPU time of the server process (not Redis or PostgreSQL) per request, µs. */
  cpuUsPerReq: number;
  rssMiB?: number;
}

async function measure(target: string, server: Server, tokens: string[]): Promise<Row> {
  const load = pollLoad(server.url, tokens, CONNECTIONS);
  await runLoad({ ...load, durationSeconds: 2 }); // warm-up: JIT, pools, first deliveries
  const cpu0 = cpuMs(server.pid);
  const result = await runLoad({ ...load, durationSeconds: SECONDS });
  const cpuUsPerReq = Math.round(((cpuMs(server.pid) - cpu0) * 1000) / Math.max(result.requests, 1));
  return { target, ...result, cpuUsPerReq };
}

export async function pollBench(): Promise<Row[]> {
  const config = benchConfig(3910);
  const rows: Row[] = [];

  let fleet = await seedFleet(config, SITES, 0.1);
  const api = await startNode(['--import', 'tsx', 'src/main.ts'], envFor(config), `${config.publicUrl}/healthz`);
  const tikops = await measure('tikops API (Redis dispatch)', api, fleet.tokens);
  rows.push({ ...tikops, rssMiB: await rssMiB(api.pid) });
  await api.stop();

  const bare = await startNode(['--import', 'tsx', 'bench/targets/bare-http.ts'], { ...process.env, PORT: '3911' }, 'http://127.0.0.1:3911/');
  rows.push(await measure('bare Node http (ceiling)', bare, fleet.tokens));
  await bare.stop();

  fleet = await seedFleet(config, SITES, 0.1); // the same pending jobs again for each target that pops them
  const reference = await startNode(
    ['--import', 'tsx', 'bench/targets/bare-evalsha.ts'],
    { ...envFor(config), PORT: '3913' },
    'http://127.0.0.1:3913/',
  );
  rows.push(await measure('bare Node http + one EVALSHA (reference)', reference, fleet.tokens));
  await reference.stop();

  fleet = await seedFleet(config, SITES, 0.1);
  const pgOnly = await startNode(
    ['--import', 'tsx', 'bench/targets/pg-only.ts'],
    { ...envFor(config), PORT: '3912' },
    'http://127.0.0.1:3912/',
  );
  rows.push(await measure('PostgreSQL-only poll (baseline)', pgOnly, fleet.tokens));
  await pgOnly.stop();
  return rows;
}

/** Runs the benchmark, prints its table and writes its JSON. */
export async function main(): Promise<void> {
  const rows = await pollBench();
  const [tikops, bare, reference, pgOnly] = rows as [Row, Row, Row, Row];
  printTable(`poll: ${SITES} sites, 10% with a pending job, ${CONNECTIONS} connections, ${SECONDS}s`, rows, [
    ['target', (r) => r.target],
    ['req/s', (r) => String(r.rps)],
    ['p50 ms', (r) => r.p50ms.toFixed(2)],
    ['p99 ms', (r) => r.p99ms.toFixed(2)],
    ['CPU µs/req', (r) => String(r.cpuUsPerReq)],
    ['non-2xx', (r) => String(r.non2xx)],
    ['errors', (r) => String(r.errors)],
  ]);
  const ratios = { ofReference: tikops.rps / reference.rps, ofCeiling: tikops.rps / bare.rps, overBaseline: tikops.rps / pgOnly.rps };
  console.log(
    `tikops = ${(ratios.ofReference * 100).toFixed(0)}% of the bare-http+EVALSHA reference, ` +
      `${(ratios.ofCeiling * 100).toFixed(0)}% of the bare-http ceiling, ${ratios.overBaseline.toFixed(1)}× the PostgreSQL-only baseline`,
  );
  writeResult('poll', { sites: SITES, seconds: SECONDS, connections: CONNECTIONS, rows, ratios });
}

if (import.meta.url === `file://${process.argv[1]}`) await main().finally(cleanupBench);
