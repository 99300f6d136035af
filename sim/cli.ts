import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { startFleet } from './fleet/fleet.js';
import { createOperator } from './fleet/operator.js';

// npm run sim -- --routers 1000 --interval 30s --duration 120s --jobs 2 [--drop 0.01 --reboot 0.01 --hang 0.01 --slow-ms 50]
// Adopts N simulated routers into a running tikops through a new runbook, queues jobs for them, runs
// them on their schedules, and reports per job how often it was delivered and run.

const USAGE = `npm run sim -- [options]

Adopts simulated routers (the real agent and job wrappers on a RouterOS interpreter) into a running
tikops through a new runbook, queues jobs for them, lets them poll on their schedule, and reports how
often each job was delivered and run. Exits 1 if any job ran twice. Every simulated router comes from
one address and one operator queues every job: run the tikops under test with
RATE_LIMIT_ADDRESS_PER_MINUTE=0 and RATE_LIMIT_OPERATOR_PER_MINUTE=0 (docs/security.md, rate limits).

Options:
  --url <url>          tikops API (default http://127.0.0.1:$PORT, PORT from the environment or 3000)
  --jwt-secret <s>     signs the operator token (default $JWT_SECRET or the development secret)
  --org <name>         organisation to work in (default: a new one per run, sim-<run id>, so a run
                       sees only the sites it created)
  --routers <n>        simulated routers (default 100)
  --interval <t>       poll interval, e.g. 30s, 500ms, 1m (default 30s)
  --duration <t>       how long to run after queueing (default 60s)
  --jobs <n>           jobs queued per router (default 1)
  --drop <p>           share of poll responses lost (default 0)
  --reboot <p>         share of claimed jobs during which the router loses power (default 0)
  --hang <p>           share of claimed jobs that never report an outcome (default 0)
  --slow-ms <ms>       extra latency per request (default 0)
  --seed <n>           random seed (default 1)
  -h, --help           this text`;

const { values: a } = parseArgs({
  options: {
    url: { type: 'string', default: `http://127.0.0.1:${process.env.PORT || '3000'}` },
    'jwt-secret': { type: 'string', default: process.env.JWT_SECRET || 'dev-only-jwt-secret-change-me-0000000000' },
    org: { type: 'string', default: `sim-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}` },
    routers: { type: 'string', default: '100' },
    interval: { type: 'string', default: '30s' },
    duration: { type: 'string', default: '60s' },
    jobs: { type: 'string', default: '1' },
    drop: { type: 'string', default: '0' },
    reboot: { type: 'string', default: '0' },
    hang: { type: 'string', default: '0' },
    'slow-ms': { type: 'string', default: '0' },
    seed: { type: 'string', default: '1' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (a.help) {
  console.log(USAGE);
  process.exit(0);
}

const seconds = (s: string): number => {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(s);
  if (!m) throw new Error(`bad duration ${s}`);
  return Number(m[1]) * (m[2] === 'ms' ? 0.001 : m[2] === 'm' ? 60 : 1);
};

console.log(`simulating against ${a.url} as organisation ${a.org}`);
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
// The organisation is this run's own, so these are exactly the sites the fleet just adopted.
const sites = await operator.siteIds();
let created = 0;
for (const siteId of sites) {
  for (let i = 0; i < Number(a.jobs); i++) {
    const tag = `${siteId}-${i}`;
    const job = await operator.createJob(siteId, tag);
    fleet.ledger.link(tag, job.token, job.id);
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
