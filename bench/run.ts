import { parseArgs } from 'node:util';
import { main as create } from './create.js';
import { main as dbPaths } from './db-paths.js';
import { main as heartbeat } from './heartbeat.js';
import { main as latency } from './latency.js';
import { cleanupBench } from './lib/fleet.js';
import { main as memory } from './memory.js';
import { main as poll } from './poll.js';
import { main as rollout } from './rollout.js';
import { main as siteLists } from './site-lists.js';

// `npm run bench [poll|create|db-paths|latency|memory|site-lists|rollout|heartbeat …]`: the benchmarks in turn on this machine; each
// prints its table and writes JSON under bench/results/. Needs wrk (apt-get install wrk) and
// PostgreSQL and Redis on their defaults. Run on a quiet machine: a number only means something
// beside the references measured in the same run.

const steps: Record<string, () => Promise<void>> = { poll, create, 'db-paths': dbPaths, latency, memory, 'site-lists': siteLists, rollout, heartbeat };

const USAGE = `npm run bench [-- <benchmark> …] [-- --help]

Runs the load benchmarks in turn (all of them, or those named), prints a table for each and writes
it as JSON under bench/results/. Benchmarks: ${Object.keys(steps).join(', ')}.

Needs wrk (apt-get install wrk), and PostgreSQL and Redis as DATABASE_URL and REDIS_URL say (default:
local). Each run uses a database and Redis key prefix of its own and removes them when it ends.
Run on a quiet machine: a number only means something beside the references measured in the same run.`;

const { values, positionals } = parseArgs({ options: { help: { type: 'boolean', short: 'h' } }, allowPositionals: true });
const unknown = positionals.filter((p) => !(p in steps));
if (values.help || unknown.length > 0) {
  if (unknown.length > 0) console.error(`unknown benchmark: ${unknown.join(', ')}\n`);
  console.log(USAGE);
  process.exit(unknown.length > 0 ? 2 : 0);
}
try {
  for (const [name, run] of Object.entries(steps)) {
    if (positionals.length > 0 && !positionals.includes(name)) continue;
    console.log(`\n=== ${name}`);
    await run();
  }
} finally {
  await cleanupBench();
}
