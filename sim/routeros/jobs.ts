// Script jobs (`/system script job`: owner, policy, started; Scripting 47579229, "Job") and
// background runs. `:execute` without `as-string` runs "in the background" (ibid.): it returns a
// job id at once and the script starts once the caller finishes or waits (a `:delay`, a fetch
// that really goes out), then runs alongside it.
import { setImmediate } from 'node:timers';
import type { Stmt } from './ast.js';
import { fromBin } from './bytes.js';
import { ControlSignal, RebootSignal, isCatchable } from './errors.js';
import { execBody } from './interpreter.js';
import { stamp } from './menu-kit.js';
import type { Runtime } from './runtime.js';
import { newScope } from './runtime.js';
import { allocId, pushLog } from './state.js';

/** Runs a compiled body as its own job: fresh scope and menu, globals of rt.user; `:return` ends it. */
export async function runJob(rt: Runtime, body: readonly Stmt[], scriptName: string, id = allocId(rt.state)): Promise<void> {
  const job = { id, script: scriptName, type: 'script', owner: rt.user, policy: [...rt.policy].join(','), started: stamp(rt) };
  rt.state.jobs.push(job);
  try {
    await execBody({ ...rt, jobName: scriptName }, { menu: [] }, newScope(null), body);
  } catch (e) {
    if (!(e instanceof ControlSignal && e.kind === 'return')) throw e;
  } finally {
    const i = rt.state.jobs.indexOf(job);
    if (i >= 0) rt.state.jobs.splice(i, 1);
  }
}

/**
 * Starts `body` in the background and returns its job id (`*N`). Errors are logged; a reboot
 * marks the state. `done` gets the job's output when it ends.
 */
export function startBackground(rt: Runtime, body: readonly Stmt[], done?: (output: string) => void): string {
  const id = allocId(rt.state);
  const bg: Runtime = { ...rt, sink: { text: '' } };
  const run = async (): Promise<void> => {
    try {
      await runJob(bg, body, '', id);
    } catch (e) {
      if (e instanceof RebootSignal) rt.state.rebooted = true;
      else if (isCatchable(e)) pushLog(rt.state, 'error', `executed script failed: ${e.message}`);
      else pushLog(rt.state, 'error', `executed script stopped: ${e instanceof Error ? e.message : String(e)}`);
    }
    done?.(fromBin(bg.sink.text));
  };
  const p: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
    .then(run)
    .finally(() => rt.state.background.delete(p));
  rt.state.background.add(p);
  return id;
}
