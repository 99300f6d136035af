import type { Config } from '../src/config.js';
import { benchConfig, cleanupBench, envFor, seedFleet } from './lib/fleet.js';
import { pollLoad, runLoad, type LoadResult } from './lib/load.js';
import { printTable, writeResult } from './lib/report.js';
import { cpuMs, LOAD_CPU, rssMiB, SERVER_CPU, startNode, type Server } from './lib/servers.js';

// Poll throughput and latency of one tikops API process (no workers running) against 5,000
// registered sites with jobs pending for 10% of them, beside (a) a bare Node http server answering
// the same request — the ceiling of HTTP alone — (b) the reference: bare Node http plus one EVALSHA
// of the real poll script (bench/targets/bare-evalsha.ts), and (c) a straightforward
// PostgreSQL-only poll (heartbeat UPDATE + SELECT … FOR UPDATE SKIP LOCKED per poll), all driven by
// the same wrk load and the same tokens on this machine in one run, each server on a CPU of its
// own and wrk on the other (bench/lib/servers.ts). Each target that pops jobs starts from a freshly
// seeded fleet; the four run BENCH_ROUNDS times in turn and the table shows medians.

const SITES = Number(process.env.BENCH_SITES ?? 5_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
/** Rounds of all four targets in turn: this VM's throughput drifts by a third between minutes, so one round proves little. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

interface Row extends LoadResult {
  target: string;
  /** CPU time of the server process (not Redis or PostgreSQL) per request, µs. */
  cpuUsPerReq: number;
  rssMiB?: number;
}

async function measure(target: string, server: Server, tokens: string[]): Promise<Row> {
  const load = { ...pollLoad(server.url, tokens, CONNECTIONS), cpu: LOAD_CPU };
  await runLoad({ ...load, durationSeconds: 2 }); // warm-up: JIT, pools, first deliveries
  const cpu0 = cpuMs(server.pid);
  const result = await runLoad({ ...load, durationSeconds: SECONDS });
  const cpuUsPerReq = Math.round(((cpuMs(server.pid) - cpu0) * 1000) / Math.max(result.requests, 1));
  return { target, ...result, cpuUsPerReq };
}

/** One round: the four targets one after another, each that pops jobs from a freshly seeded fleet. */
async function round(config: Config): Promise<[Row, Row, Row, Row]> {
  let fleet = await seedFleet(config, SITES, 0.1);
  const api = await startNode(['--import', 'tsx', 'src/main.ts'], envFor(config), `${config.publicUrl}/healthz`, { cpu: SERVER_CPU });
  const tikops = { ...(await measure('tikops API (Redis dispatch)', api, fleet.tokens)), rssMiB: await rssMiB(api.pid) };
  await api.stop();

  const bare = await startNode(['--import', 'tsx', 'bench/targets/bare-http.ts'], { ...process.env, PORT: '3911' }, 'http://127.0.0.1:3911/', { cpu: SERVER_CPU });
  const ceiling = await measure('bare Node http (ceiling)', bare, fleet.tokens);
  await bare.stop();

  fleet = await seedFleet(config, SITES, 0.1); // the same pending jobs again for each target that pops them
  const reference = await startNode(
    ['--import', 'tsx', 'bench/targets/bare-evalsha.ts'],
    { ...envFor(config), PORT: '3913' },
    'http://127.0.0.1:3913/',
    { cpu: SERVER_CPU },
  );
  const evalsha = await measure('bare Node http + one EVALSHA (reference)', reference, fleet.tokens);
  await reference.stop();

  fleet = await seedFleet(config, SITES, 0.1);
  const pgOnly = await startNode(['--import', 'tsx', 'bench/targets/pg-only.ts'], { ...envFor(config), PORT: '3912' }, 'http://127.0.0.1:3912/', { cpu: SERVER_CPU });
  const baseline = await measure('PostgreSQL-only poll (baseline)', pgOnly, fleet.tokens);
  await pgOnly.stop();
  return [tikops, ceiling, evalsha, baseline];
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** Each target's median over the rounds, metric by metric. */
function medianRow(rows: Row[]): Row {
  const m = (f: (r: Row) => number): number => median(rows.map(f));
  return {
    target: rows[0]!.target,
    requests: m((r) => r.requests),
    seconds: m((r) => r.seconds),
    rps: Math.round(m((r) => r.rps)),
    p50ms: m((r) => r.p50ms),
    p99ms: m((r) => r.p99ms),
    non2xx: Math.max(...rows.map((r) => r.non2xx)),
    errors: Math.max(...rows.map((r) => r.errors)),
    cpuUsPerReq: Math.round(m((r) => r.cpuUsPerReq)),
    ...(rows[0]!.rssMiB !== undefined ? { rssMiB: m((r) => r.rssMiB ?? 0) } : {}),
  };
}

/** The rounds in turn; returns every round's rows (tikops, ceiling, reference, baseline). */
export async function pollBench(rounds = ROUNDS): Promise<[Row, Row, Row, Row][]> {
  const config = benchConfig(3910);
  const all: [Row, Row, Row, Row][] = [];
  for (let i = 0; i < rounds; i++) all.push(await round(config));
  return all;
}

/** Runs the benchmark, prints its table and writes its JSON. */
export async function main(): Promise<void> {
  const rounds = await pollBench();
  const rows = [0, 1, 2, 3].map((t) => medianRow(rounds.map((r) => r[t]!)));
  printTable(
    `poll: ${SITES} sites, 10% with a pending job, ${CONNECTIONS} connections, ${SECONDS}s per target, median of ${rounds.length} rounds`,
    rows,
    [
      ['target', (r) => r.target],
      ['req/s', (r) => String(r.rps)],
      ['p50 ms', (r) => r.p50ms.toFixed(2)],
      ['p99 ms', (r) => r.p99ms.toFixed(2)],
      ['CPU µs/req', (r) => String(r.cpuUsPerReq)],
      ['non-2xx', (r) => String(r.non2xx)],
      ['errors', (r) => String(r.errors)],
      ['req/s per round', (r) => rounds.map((round) => round.find((x) => x.target === r.target)!.rps).join(' / ')],
    ],
  );
  // Ratios within a round (its targets ran minutes apart at most), then their median over the rounds.
  const perRound = rounds.map(([tikops, bare, reference, pgOnly]) => ({
    ofReference: tikops.rps / reference.rps,
    ofCeiling: tikops.rps / bare.rps,
    overBaseline: tikops.rps / pgOnly.rps,
  }));
  const ratios = {
    ofReference: median(perRound.map((r) => r.ofReference)),
    ofCeiling: median(perRound.map((r) => r.ofCeiling)),
    overBaseline: median(perRound.map((r) => r.overBaseline)),
  };
  const pct = (x: number): string => `${(x * 100).toFixed(0)}%`;
  console.log(
    `tikops = ${pct(ratios.ofReference)} of the bare-http+EVALSHA reference (rounds: ${perRound.map((r) => pct(r.ofReference)).join(' / ')}), ` +
      `${pct(ratios.ofCeiling)} of the bare-http ceiling, ${ratios.overBaseline.toFixed(1)}× the PostgreSQL-only baseline ` +
      `(rounds: ${perRound.map((r) => r.overBaseline.toFixed(1) + '×').join(' / ')}); medians of the per-round ratios`,
  );
  writeResult('poll', { sites: SITES, seconds: SECONDS, connections: CONNECTIONS, rounds: rounds.length, rows, perRound: rounds, ratios });
}

if (import.meta.url === `file://${process.argv[1]}`) await main().finally(cleanupBench);
