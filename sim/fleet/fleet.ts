import { prng } from '../prng.js';
import { Ledger } from './ledger.js';

export { prng };
import { NO_FAULTS, SimRouter, type Faults } from './router.js';

// A fleet of simulated routers polling one tikops deployment on their own schedules (with jitter),
// the way real routers would: adopted through a runbook, then running the installed agent.

export interface FleetOptions {
  /** Base URL of the API, e.g. http://127.0.0.1:3000. */
  url: string;
  runbookToken: string;
  routers: number;
  intervalMs: number;
  /** ± share of the interval each tick is moved by. */
  jitter?: number;
  faults?: Partial<Faults>;
  seed?: number;
  adoptConcurrency?: number;
  /** Pause after a simulated reboot before the router polls again. */
  bootDelayMs?: number;
}

export interface Fleet {
  routers: SimRouter[];
  ledger: Ledger;
  /** Starts the routers' poll loops (startFleet does it unless told `idle`). */
  start(): void;
  /** Stops every router after its current tick. */
  stop(): Promise<void>;
}


const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

/** Adopts `routers` routers and starts their poll loops (unless `idle`); returns a handle to stop them. */
export async function startFleet(opts: FleetOptions & { idle?: boolean }): Promise<Fleet> {
  const random = prng(opts.seed ?? 1);
  const ledger = new Ledger();
  const faults = { ...NO_FAULTS, ...opts.faults };
  const routers = Array.from({ length: opts.routers }, (_, i) => {
    const serial = `SIM${String(opts.seed ?? 1).padStart(3, '0')}${String(i).padStart(7, '0')}`;
    return new SimRouter(serial, ledger, faults, random);
  });
  await inBatches(routers, opts.adoptConcurrency ?? 50, (r) => r.adopt(`${opts.url}/adopt/${opts.runbookToken}`));

  let stopped = false;
  let loops: Promise<void>[] = [];
  const jitter = opts.jitter ?? 0.1;
  const start = (): void => {
    loops = routers.map(async (router) => {
      await sleep(random() * opts.intervalMs);
      while (!stopped) {
        const alive = await router.tick();
        if (!alive) await sleep(opts.bootDelayMs ?? 1_000);
        await sleep(opts.intervalMs * (1 + (random() * 2 - 1) * jitter));
      }
    });
  };
  if (!opts.idle) start();
  return {
    routers,
    ledger,
    start,
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}
