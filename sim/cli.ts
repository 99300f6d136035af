import { parseArgs } from 'node:util';
import { startFleet } from './fleet/fleet.js';
import { createOperator } from './fleet/operator.js';

// npm run sim -- --routers 1000 --interval 30s --duration 120s --jobs 2 [--drop 0.01 --reboot 0.01 --hang 0.01 --slow-ms 50]
// Adopts N simulated routers into a running tikops through a new runbook, queues jobs for them, runs
// them on their schedules, and reports per job how often it was delivered and run.

const { values: a } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:3000' },
    'jwt-secret': { type: 'string', default: process.env.JWT_SECRET ?? 'dev-only-jwt-secret-change-me-0000000000' },
    org: { type: 'string', default: 'sim-org' },
    routers: { type: 'string', default: '100' },
    interval: { type: 'string', default: '30s' },
    duration: { type: 'string', default: '60s' },
    jobs: { type: 'string', default: '1' },
    drop: { type: 'string', default: '0' },
    reboot: { type: 'string', default: '0' },
    hang: { type: 'string', default: '0' },
    'slow-ms': { type: 'string', default: '0' },
    seed: { type: 'string', default: '1' },
  },
});

const seconds = (s: string): number => {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(s);
  if (!m) throw new Error(`bad duration ${s}`);
  return Number(m[1]) * (m[2] === 'ms' ? 0.001 : m[2] === 'm' ? 60 : 1);
};

const operator = createOperator(a.url, a['jwt-secret'], a.org);
const runbook = await operator.createRunbook(`sim ${new Date().toISOString()}`);
const started = Date.now();
const fleet = await startFleet({
  url: a.url,
  runbookToken: runbook.token,
  routers: Number(a.routers),
  intervalMs: seconds(a.interval) * 1000,
  seed: Number(a.seed),
  faults: { dropRate: Number(a.drop), rebootRate: Number(a.reboot), hangRate: Number(a.hang), slowMs: Number(a['slow-ms']) },
});
console.log(`adopted ${fleet.routers.length} routers in ${((Date.now() - started) / 1000).toFixed(1)}s`);
const sites = await operator.siteIds();
let created = 0;
for (const siteId of sites) {
  for (let i = 0; i < Number(a.jobs); i++) {
    await operator.createJob(siteId, `${siteId}-${i}`);
    created++;
  }
}
console.log(`queued ${created} jobs; running for ${a.duration}`);
await new Promise((r) => setTimeout(r, seconds(a.duration) * 1000));
await fleet.stop();
const summary = fleet.ledger.summary();
console.table({ ...summary, jobsCreated: created });
if (summary.ranTwice! > 0) {
  console.error(`jobs run twice: ${fleet.ledger.ranTwice().join(', ')}`);
  process.exitCode = 1;
}
