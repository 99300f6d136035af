import { spawn, type ChildProcess } from 'node:child_process';

// The processes a drill runs and kills: API and worker roles of tikops, and a private Redis.

export interface Proc {
  name: string;
  child: ChildProcess;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function startProc(name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv): Proc {
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.on('data', (d: Buffer) => {
    const line = d.toString().trim();
    if (line) process.stderr.write(`[${name}] ${line.slice(0, 400)}\n`);
  });
  return {
    name,
    child,
    kill: (signal = 'SIGTERM') =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}

/** A private, non-persistent Redis on `port` (a restart wipes it). */
export function startRedis(port: number): Proc {
  return startProc(`redis:${port}`, 'redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction',
  ], process.env);
}
