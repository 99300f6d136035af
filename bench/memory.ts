import { benchConfig, cleanupBench, envFor, seedFleet } from './lib/fleet.js';
import { runLoad } from './lib/load.js';
import { printTable, writeResult } from './lib/report.js';
import { rssMiB, startNode } from './lib/servers.js';

// API process memory with 1,000 vs 1,000,000 registered sites, after the same poll load spread over
// the whole fleet: it must not grow with the fleet (nothing per site is kept in process memory).

const SIZES = (process.env.BENCH_MEMORY_SITES ?? '1000,1000000').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

interface Row {
  sites: number;
  rssStartMiB: number;
  rssAfterMiB: number;
  requests: number;
}

export async function memoryBench(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const sites of SIZES) {
    const config = benchConfig(3950);
    const fleet = await seedFleet(config, sites, 0);
    const api = await startNode(['--import', 'tsx', 'src/main.ts'], envFor(config), `${config.publicUrl}/healthz`);
    const rssStartMiB = await rssMiB(api.pid);
    const load = await runLoad({
      url: `${api.url}/poll`,
      method: 'POST',
      lines: fleet.tokens,
      headers: { Authorization: 'Bearer {{line}}' },
      body: 'uptime=1d02:15:38;cpu-load=7',
      connections: 64,
      durationSeconds: SECONDS,
    });
    rows.push({ sites, rssStartMiB, rssAfterMiB: await rssMiB(api.pid), requests: load.requests });
    await api.stop();
  }
  return rows;
}

/** Runs the benchmark, prints its table and writes its JSON. */
export async function main(): Promise<void> {
  const rows = await memoryBench();
  printTable('API process memory by fleet size (same poll load)', rows, [
    ['sites', (r) => String(r.sites)],
    ['RSS at start MiB', (r) => r.rssStartMiB.toFixed(1)],
    ['RSS after load MiB', (r) => r.rssAfterMiB.toFixed(1)],
    ['polls', (r) => String(r.requests)],
  ]);
  writeResult('memory', { seconds: SECONDS, rows });
}

if (import.meta.url === `file://${process.argv[1]}`) await main().finally(cleanupBench);
