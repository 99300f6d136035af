import { randomUUID } from 'node:crypto';
import { get as httpGet } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import jwt from 'jsonwebtoken';
import { openSse, type SseStream } from '../test/support/sse.js';
import { BENCH_JWT_SECRET, benchConfig, cleanupBench, envFor, seedFleet } from './lib/fleet.js';
import { printTable, writeResult } from './lib/report.js';
import { cpuMs, rssMiB, startNode } from './lib/servers.js';

// 100 open dashboards against a busy fleet: the API process's CPU and memory while jobs flow
// (created over the API at a fixed rate, each handed out by its router's poll), with no dashboard
// open, with 100 live dashboards (GET /events/stream, what ui/src/lib/live.ts opens), and with 100
// dashboards polling a site's job list every 2 s instead (what the pages did before, and do while
// the stream is down). The same workload in each phase, one API process, side by side.

const DASHBOARDS = Number(process.env.BENCH_DASHBOARDS ?? 100);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = 2;
const JOBS_PER_SECOND = Number(process.env.BENCH_JOBS_PER_SECOND ?? 40);
const SITES = 1000;
const POLL_EVERY_MS = 2000;

interface Row {
  phase: string;
  dashboards: number;
  jobs: number;
  /** API process CPU over the phase, as a share of one core. */
  cpuPercent: number;
  rssMiB: number;
  /** Dashboard requests the API answered during the phase (polls) or streams held open. */
  dashboardRequests: number;
  eventsDelivered: number;
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
}

/** An event stream that only counts its frames (node:http, no parsing); returns its close. */
function countingStream(url: string, token: string, onFrame: () => void): Promise<() => void> {
  return new Promise((resolve, reject) => {
    const req = httpGet(url, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } }, (res) => {
      res.on('data', (chunk: Buffer) => {
        for (let i = chunk.indexOf('event:'); i >= 0; i = chunk.indexOf('event:', i + 1)) onFrame();
      });
      res.on('error', () => undefined);
      resolve(() => req.destroy());
    });
    req.on('error', reject);
  });
}

const pct = (xs: number[], p: number): number | null => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 10) / 10;
};

function mean(rows: Row[]): Row {
  const avg = (f: (r: Row) => number | null): number | null => {
    const xs = rows.map(f).filter((x): x is number => x !== null);
    return xs.length === 0 ? null : Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10;
  };
  return {
    ...rows[0]!,
    jobs: avg((r) => r.jobs)!, cpuPercent: avg((r) => r.cpuPercent)!, rssMiB: avg((r) => r.rssMiB)!,
    dashboardRequests: avg((r) => r.dashboardRequests)!, eventsDelivered: avg((r) => r.eventsDelivered)!,
    latencyP50Ms: avg((r) => r.latencyP50Ms), latencyP99Ms: avg((r) => r.latencyP99Ms),
  };
}

export async function dashboardsBench(): Promise<Row[]> {
  const config = benchConfig(3960);
  const fleet = await seedFleet(config, SITES, 0);
  const api = await startNode(['--import', 'tsx', 'src/main.ts'], envFor(config, { RATE_LIMIT_OPERATOR_PER_MINUTE: '0' }), `${config.publicUrl}/healthz`);
  const token = jwt.sign({ org: 'bench-org' }, BENCH_JWT_SECRET, { algorithm: 'HS256', expiresIn: '1h' });
  const auth = { authorization: `Bearer ${token}` };
  const sent = new Map<string, number>();
  // A job's event can arrive before its POST's answer is read: kept here until it is.
  const early = new Map<string, number>();
  let latencies: number[] = [];

  /** Creates a job on a site and lets the site's router poll it (the poll answers the job's script). */
  const oneJob = async (i: number): Promise<void> => {
    const site = i % SITES;
    const t0 = performance.now();
    const res = await fetch(`${api.url}/site/${fleet.siteIds[site]}/job`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'text/plain', 'x-idempotency-key': randomUUID(), 'x-description': 'bench job' },
      body: ':put "bench"',
    });
    const job = (await res.json()) as { id: string };
    sent.set(job.id, t0);
    const at = early.get(job.id);
    if (at !== undefined) latencies.push(at - t0);
    await fetch(`${api.url}/poll`, { method: 'POST', headers: { authorization: `Bearer ${fleet.tokens[site]}` }, body: 'uptime=1d;cpu-load=3' }).then((r) => r.text());
  };

  const phase = async (name: string, dashboards: number, mode: 'none' | 'stream' | 'poll'): Promise<Row> => {
    const streams: SseStream[] = [];
    latencies = [];
    let events = 0;
    const counters: (() => void)[] = [];
    if (mode === 'stream') {
      // One stream parses events and times them; the others only count their frames, so this
      // process (on the same cores) stays a light client and the latency is the API's, not ours.
      const probe = await openSse(`${api.url}/events/stream`, auth);
      probe.onEvent = (e) => {
        events++;
        if (e.data.state !== 'queued') return;
        const t0 = sent.get(e.data.job_id);
        if (t0 === undefined) early.set(e.data.job_id, e.at);
        else latencies.push(e.at - t0);
      };
      streams.push(probe);
      for (let d = 1; d < dashboards; d++) counters.push(await countingStream(`${api.url}/events/stream`, token, () => events++));
      await sleep(500);
    }
    let polls = 0;
    let stopPolls = false;
    const pollers =
      mode === 'poll'
        ? Array.from({ length: dashboards }, async (_, d) => {
            await sleep((POLL_EVERY_MS * d) / dashboards); // spread like real tabs
            while (!stopPolls) {
              await fetch(`${api.url}/site/${fleet.siteIds[d % SITES]}/job?limit=20`, { headers: auth }).then((r) => r.arrayBuffer());
              polls++;
              await sleep(POLL_EVERY_MS);
            }
          })
        : [];
    const cpu0 = cpuMs(api.pid);
    const started = performance.now();
    let jobs = 0;
    const inflight: Promise<void>[] = [];
    while (performance.now() - started < SECONDS * 1000) {
      const due = Math.floor(((performance.now() - started) / 1000) * JOBS_PER_SECOND);
      while (jobs < due) inflight.push(oneJob(jobs++));
      await sleep(5);
    }
    await Promise.all(inflight);
    const elapsed = performance.now() - started;
    const cpu = (cpuMs(api.pid) - cpu0) / elapsed;
    const rss = await rssMiB(api.pid);
    stopPolls = true;
    await Promise.all(pollers);
    await sleep(300); // the last events in flight
    for (const s of streams) s.close();
    for (const close of counters) close();
    await sleep(300);
    return {
      phase: name, dashboards, jobs, cpuPercent: Math.round(cpu * 1000) / 10, rssMiB: rss,
      dashboardRequests: mode === 'poll' ? polls : mode === 'stream' ? dashboards : 0, eventsDelivered: events,
      latencyP50Ms: pct(latencies, 50), latencyP99Ms: pct(latencies, 99),
    };
  };

  try {
    await phase('warm-up', 0, 'none');
    // Two rounds of the three phases, interleaved, so a neighbour's burst on this shared machine
    // does not land on one phase only; each phase's numbers are the mean of its two runs.
    const runs: Row[][] = [[], [], []];
    for (let round = 0; round < ROUNDS; round++) {
      runs[0]!.push(await phase('no dashboard', 0, 'none'));
      runs[1]!.push(await phase(`${DASHBOARDS} live dashboards (SSE)`, DASHBOARDS, 'stream'));
      runs[2]!.push(await phase(`${DASHBOARDS} dashboards polling every 2 s`, DASHBOARDS, 'poll'));
    }
    return runs.map(mean);
  } finally {
    await api.stop();
  }
}

/** Runs the benchmark, prints its table and writes its JSON. */
export async function main(): Promise<void> {
  const rows = await dashboardsBench();
  const base = rows[0]!;
  printTable(`API process with open dashboards while ${JOBS_PER_SECOND} jobs/s flow (${SECONDS} s per phase, mean of ${ROUNDS} interleaved rounds, one API process)`, rows, [
    ['phase', (r) => r.phase],
    ['jobs', (r) => String(r.jobs)],
    ['API CPU % of a core', (r) => r.cpuPercent.toFixed(1)],
    ['CPU per dashboard', (r) => (r.dashboards ? `${((r.cpuPercent - base.cpuPercent) / r.dashboards).toFixed(2)} %` : '—')],
    ['RSS MiB', (r) => r.rssMiB.toFixed(1)],
    ['RSS per dashboard', (r) => (r.dashboards ? `${(((r.rssMiB - base.rssMiB) * 1024) / r.dashboards).toFixed(0)} KiB` : '—')],
    ['dashboard requests (polls, or streams held)', (r) => String(r.dashboardRequests)],
    ['events delivered', (r) => String(r.eventsDelivered)],
    ['event latency p50/p99 ms', (r) => (r.latencyP50Ms === null ? '—' : `${r.latencyP50Ms} / ${r.latencyP99Ms}`)],
  ]);
  writeResult('dashboards', { command: 'npm run bench dashboards', seconds: SECONDS, rounds: ROUNDS, jobsPerSecond: JOBS_PER_SECOND, dashboards: DASHBOARDS, sites: SITES, rows });
}

if (import.meta.url === `file://${process.argv[1]}`) await main().finally(cleanupBench);
