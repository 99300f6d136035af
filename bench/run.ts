import { main as create } from './create.js';
import { main as dbPaths } from './db-paths.js';
import { main as latency } from './latency.js';
import { main as memory } from './memory.js';
import { main as poll } from './poll.js';
import { main as siteLists } from './site-lists.js';

// `npm run bench [poll|create|db-paths|latency|memory|site-lists …]`: the benchmarks in turn on this machine; each
// prints its table and writes JSON under bench/results/. Needs wrk (apt-get install wrk) and
// PostgreSQL and Redis on their defaults. Run on a quiet machine: a number only means something
// beside the references measured in the same run.

const steps: Record<string, () => Promise<void>> = { poll, create, 'db-paths': dbPaths, latency, memory, 'site-lists': siteLists };
const only = process.argv.slice(2);
for (const [name, run] of Object.entries(steps)) {
  if (only.length > 0 && !only.includes(name)) continue;
  console.log(`\n=== ${name}`);
  await run();
}
