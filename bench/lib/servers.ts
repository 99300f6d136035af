import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

// Child processes under test: each is started, waited on until it answers, and stopped.

export interface Server {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

async function waitUp(url: string, child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${url}: process exited with ${child.exitCode}`);
    try {
      await fetch(url);
      return;
    } catch {
      if (Date.now() > until) throw new Error(`${url} did not come up`);
      await sleep(100);
    }
  }
}

/** Every child still running: a bench that fails midway must not leave its servers behind. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * With two CPUs or more, a server under test runs on CPU 1 and wrk on CPU 0 (Redis and PostgreSQL
 * wherever the kernel puts them), as a pod and its clients would: left to the scheduler, three busy
 * processes on two cores swapped places and a target's throughput moved by half between rounds.
 */
export const [SERVER_CPU, LOAD_CPU] = cpus().length >= 2 ? [1, 0] : [undefined, undefined];

/** `cmd args` as spawn's command and arguments, run only on CPU `cpu` (taskset) when one is given. */
export function onCpu(cpu: number | undefined, cmd: string, args: string[]): [string, string[]] {
  return cpu === undefined ? [cmd, args] : ['taskset', ['-c', String(cpu), cmd, ...args]];
}

/**
 * Starts `node <args>` with `env` (in `cwd`, default this one; on CPU `cpu` only, if given) and waits
 * until `probeUrl` answers.
 */
export async function startNode(
  args: string[],
  env: NodeJS.ProcessEnv,
  probeUrl: string,
  opts: { cwd?: string; cpu?: number } = {},
): Promise<Server> {
  const child = spawn(...onCpu(opts.cpu, process.execPath, args), { env, stdio: ['ignore', 'inherit', 'inherit'], cwd: opts.cwd });
  running.add(child);
  child.once('exit', () => running.delete(child));
  await waitUp(probeUrl, child);
  return {
    url: new URL(probeUrl).origin,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}

/** Resident set size of a process in MiB (Linux /proc). */
export async function rssMiB(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round((kb / 1024) * 10) / 10;
}

/** CPU time (user + system) a process has used so far, in ms (Linux /proc; clock ticks of 10 ms). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // After the command name (which may itself hold ") "), utime and stime are fields 14 and 15 of stat(5).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
