import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

// A real Redis Cluster of three masters on loopback, for the tests (test/support/cluster-setup.ts)
// and the fault drill (`npm run drill -- --cluster`): redis-server --cluster-enabled yes on three
// free ports in a temporary directory, joined by `redis-cli --cluster create`
// (https://redis.io/docs/latest/operate/oss_and_stack/management/scaling/). No persistence, so a
// restart (`restartEmpty`) wipes every key, as the drill's single-Redis restart does.

const run = promisify(execFile);
const MASTERS = 3;

export interface LocalCluster {
  ports: number[];
  /** REDIS_URL for tikops: redis+cluster://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3 */
  url: string;
  /** SIGKILLs every node, forgets the cluster, and starts and joins the nodes again, empty. */
  restartEmpty(): Promise<void>;
  /** Kills the nodes and removes the directory. */
  stop(): Promise<void>;
}

/** A free loopback port whose cluster bus port (+10000) is free too. */
export async function freePort(taken: Set<number>): Promise<number> {
  const listen = (port: number): Promise<number | null> =>
    new Promise((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(null));
      srv.listen(port, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
  for (let tries = 0; tries < 100; tries++) {
    const port = await listen(0);
    if (port === null || port > 55_000 || taken.has(port)) continue;
    if ((await listen(port + 10_000)) !== null) return port;
  }
  throw new Error('no free port pair for a Redis Cluster node');
}

export const cli = async (...args: string[]): Promise<string> => (await run('redis-cli', args, { timeout: 30_000 })).stdout;

/** SIGKILLs every child still running and resolves once all have exited. */
export async function killAll(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}

export async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts three cluster-enabled redis-servers and joins them into one cluster (cluster_state:ok). */
export async function startLocalCluster(opts: { ports?: number[] } = {}): Promise<LocalCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'tikops-redis-cluster-'));
  const ports: number[] = opts.ports ?? [];
  const taken = new Set<number>();
  while (ports.length < MASTERS) {
    const p = await freePort(taken);
    taken.add(p);
    ports.push(p);
  }
  let nodes: ChildProcess[] = [];

  const startNodes = async (): Promise<void> => {
    nodes = ports.map((port) => {
      const child = spawn(
        'redis-server',
        [
          '--port', String(port), '--bind', '127.0.0.1', '--dir', dir,
          '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '5000',
          '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction',
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      child.stderr?.on('data', (d: Buffer) => process.stderr.write(`[redis-cluster:${port}] ${d.toString()}`));
      return child;
    });
    for (const port of ports) await waitUntil(async () => (await cli('-p', String(port), 'ping')).trim() === 'PONG', `redis-server on ${port}`);
    await cli('--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes');
    for (const port of ports) {
      await waitUntil(async () => (await cli('-p', String(port), 'cluster', 'info')).includes('cluster_state:ok'), `cluster_state:ok on ${port}`);
    }
  };
  const killNodes = async (): Promise<void> => {
    await killAll(nodes);
    for (const port of ports) rmSync(join(dir, `nodes-${port}.conf`), { force: true });
  };

  try {
    await startNodes();
  } catch (err) {
    await killNodes();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    ports,
    url: `redis+cluster://${ports.map((p) => `127.0.0.1:${p}`).join(',')}`,
    async restartEmpty() {
      await killNodes();
      await startNodes();
    },
    async stop() {
      await killNodes();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
