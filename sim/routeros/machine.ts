// The Machine (runtime.ts) every run dispatches through, and building a run's Runtime.
import type { Program } from './ast.js';
import { checkCommands, globalSpec } from './check.js';
import { ScriptError } from './errors.js';
import { runMenuCommand } from './menus.js';
import { parseCached } from './parser.js';
import type { Runtime, Machine } from './runtime.js';
import type { Host } from './state-types.js';
import type { RouterState } from './state.js';
import { effectiveVersion, has } from './version.js';

// Check results per parsed program and router kind (version, dialect, platform menus).
const checked = new WeakMap<Program, Map<string, string | string[]>>();

function check(rt: Runtime, program: Program): string[] {
  const key = `${rt.v6 ? 6 : 7}:${String(rt.version.major)}.${String(rt.version.minor)}:${rt.state.routerboard ? 'rb' : 'x86'}`;
  let byKey = checked.get(program);
  if (!byKey) checked.set(program, (byKey = new Map()));
  let hit = byKey.get(key);
  if (hit === undefined) {
    try {
      hit = checkCommands(rt, program);
    } catch (e) {
      if (!(e instanceof ScriptError)) throw e;
      hit = e.message;
    }
    byKey.set(key, hit);
  }
  if (typeof hit === 'string') throw new ScriptError(hit);
  return hit;
}

export const MACHINE: Machine = {
  global: (rt, name) => globalSpec(rt, name)?.run,
  menu: runMenuCommand,
  compile: (rt, src) => {
    const program = parseCached(src, { v6: rt.v6, onerror: has(rt.version, 'onerror') });
    check(rt, program);
    return program;
  },
  unresolved: check,
};

export interface RuntimeOptions {
  v6?: boolean;
  maxSteps?: number;
  jobName?: string;
  user: string;
  policy: ReadonlySet<string>;
}

export function makeRuntime(state: RouterState, host: Host, opts: RuntimeOptions): Runtime {
  const v6 = opts.v6 ?? state.version.startsWith('6.');
  return {
    state,
    host,
    v6,
    version: effectiveVersion(state.version, v6),
    vm: MACHINE,
    user: opts.user,
    policy: opts.policy,
    budget: { steps: 0, max: opts.maxSteps ?? 1_000_000 },
    sink: { text: '' },
    jobName: opts.jobName ?? '',
  };
}
