import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { cli, freePort, killAll, waitUntil } from './redis-cluster.js';

// A real Redis Sentinel setup on loopback, for the tests (test/redis/sentinel.test.ts): a master,
// one replica (`--replicaof`) and Sentinels (`redis-server <conf> --sentinel`; each needs a config
// file of its own that it can rewrite with what it learns,
// https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/), on free ports in a
// temporary directory. No persistence.

export interface LocalSentinel {
  /** REDIS_URL for tikops: redis+sentinel://127.0.0.1:s1,127.0.0.1:s2/<name> */
  url: string;
  /** The master group name the Sentinels monitor. */
  name: string;
  /** The two Redis servers: the master at start, then the replica. */
  redisPorts: number[];
  sentinelPorts: number[];
  /** The master's port as the first Sentinel names it. */
  masterPort(): Promise<number>;
  /**
   * Waits until the replica has every write, then SENTINEL FAILOVER; resolves with the new master's
   * port once every Sentinel names it and it has taken the master role.
   */
  failover(): Promise<number>;
  /** Kills every process and removes the directory. */
  stop(): Promise<void>;
}

/** One command to 127.0.0.1:`port` on a short-lived connection; rejects on an error reply or a refused connection. */
export async function ask(port: number, command: string, ...args: string[]): Promise<unknown> {
  const r = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return await r.call(command, ...args);
  } finally {
    r.disconnect();
  }
}

/** A flat [key, value, key, value, …] reply as an object. */
const fields = (flat: unknown): Record<string, string> => {
  const a = flat as string[];
  return Object.fromEntries(a.filter((_, i) => i % 2 === 0).map((k, i) => [k, a[2 * i + 1]!]));
};

/** Starts a master, a replica in sync with it and `sentinels` Sentinels that can promote the replica. */
export async function startLocalSentinel(opts: { sentinels?: number; name?: string } = {}): Promise<LocalSentinel> {
  const name = opts.name ?? 'tikops';
  const dir = mkdtempSync(join(tmpdir(), 'tikops-redis-sentinel-'));
  const taken = new Set<number>();
  const nextPort = async (): Promise<number> => {
    const p = await freePort(taken);
    taken.add(p);
    return p;
  };
  const redisPorts = [await nextPort(), await nextPort()];
  const sentinelPorts: number[] = [];
  while (sentinelPorts.length < (opts.sentinels ?? 2)) sentinelPorts.push(await nextPort());
  const [master, replica] = redisPorts as [number, number];
  const children: ChildProcess[] = [];

  const start = (port: number, args: string[]): void => {
    const child = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (d: Buffer) => process.stderr.write(`[redis-sentinel:${port}] ${d.toString()}`));
    children.push(child);
  };
  const server = (port: number): string[] => [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--dbfilename', `dump-${port}.rdb`,
    '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction',
  ];
  const masterPort = async (): Promise<number> => Number(((await ask(sentinelPorts[0]!, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)) as string[])[1]);
  const stop = async (): Promise<void> => {
    await killAll(children);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    start(master, server(master));
    start(replica, [...server(replica), '--replicaof', '127.0.0.1', String(master)]);
    await waitUntil(async () => (await cli('-p', String(replica), 'info', 'replication')).includes('master_link_status:up'), 'the replica in sync');
    for (const port of sentinelPorts) {
      const conf = join(dir, `sentinel-${port}.conf`);
      writeFileSync(conf, [`port ${port}`, 'bind 127.0.0.1', `dir ${dir}`, `sentinel monitor ${name} 127.0.0.1 ${master} 1`, `sentinel down-after-milliseconds ${name} 5000`, ''].join('\n'));
      start(port, [conf, '--sentinel']);
    }
    // A Sentinel learns of replicas from the master's INFO and promotes one only after its own INFO from it.
    for (const port of sentinelPorts) {
      await waitUntil(async () => {
        const replicas = ((await ask(port, 'SENTINEL', 'REPLICAS', name)) as unknown[]).map(fields);
        return replicas.some((r) => r.port === String(replica) && r.flags === 'slave' && r['master-link-status'] === 'ok');
      }, `Sentinel ${port} knowing the replica`);
    }
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    url: `redis+sentinel://${sentinelPorts.map((p) => `127.0.0.1:${p}`).join(',')}/${name}`,
    name,
    redisPorts,
    sentinelPorts,
    masterPort,
    async failover() {
      const before = await masterPort();
      const after = redisPorts.find((p) => p !== before)!;
      await ask(before, 'WAIT', '1', '5000');
      // NOGOODSLAVE while the Sentinel's view of the replica is not fresh: ask again.
      await waitUntil(async () => (await ask(sentinelPorts[0]!, 'SENTINEL', 'FAILOVER', name)) === 'OK', 'SENTINEL FAILOVER accepted');
      for (const port of sentinelPorts) {
        await waitUntil(
          async () => Number(((await ask(port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)) as string[])[1]) === after,
          `Sentinel ${port} naming ${after} the master`,
        );
      }
      await waitUntil(async () => ((await ask(after, 'ROLE')) as string[])[0] === 'master', `${after} taking the master role`);
      return after;
    },
    stop,
  };
}
