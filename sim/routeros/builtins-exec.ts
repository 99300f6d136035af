// `:parse` and `:execute` (Scripting 47579229, "Global commands").
import type { Stmt, Value } from './ast.js';
import { argValue, ev, split } from './args.js';
import { fromBin } from './bytes.js';
import type { GlobalCtx } from './interpreter.js';
import { commandError } from './interpreter.js';
import { runJob, startBackground } from './jobs.js';
import { putFile } from './menu-kit.js';
import type { Runtime } from './runtime.js';
import { code, str, toStr } from './values.js';

/** "Executed script can not be larger than 64kB". */
const EXECUTE_LIMIT = 65536;

export async function cmdParse(c: GlobalCtx): Promise<Value> {
  const v = await argValue(c, split(c.st.args), 'value', 0);
  return code(c.rt.vm.compile(c.rt, v === undefined ? '' : toStr(v)).body);
}

const isAsString = (e: { k: string; w?: string }): boolean => e.k === 'word' && e.w === 'as-string';

/**
 * `:execute <script> [file=] [as-string]`: without as-string the script runs in the background
 * and the job id comes back at once; with it (v7) the caller waits and gets the output.
 */
export async function cmdExecute(c: GlobalCtx): Promise<Value> {
  const a = split(c.st.args);
  const scriptExpr = a.named.get('script') ?? a.pos.find((e) => !isAsString(e));
  if (scriptExpr === undefined) throw commandError(c.st, 'missing value for script');
  const asString = a.named.has('as-string') || a.pos.some(isAsString);
  let body: readonly Stmt[];
  if (scriptExpr.k === 'block') {
    body = scriptExpr.body;
  } else {
    const v = await ev(c, scriptExpr);
    if (v.t === 'code') body = v.body;
    else {
      const src = toStr(v);
      if (src.length > EXECUTE_LIMIT) throw commandError(c.st, 'executed script can not be larger than 64kB');
      body = c.rt.vm.compile(c.rt, src).body;
    }
  }
  const file = a.named.get('file');
  const fileName = file === undefined ? undefined : fromBin(toStr(await ev(c, file)));
  if (asString) {
    const rt: Runtime = { ...c.rt, sink: { text: '' } };
    await runJob(rt, body, '');
    if (fileName !== undefined) putFile(c.rt.state, fileName, fromBin(rt.sink.text));
    return str(rt.sink.text);
  }
  const id = startBackground(c.rt, body, fileName === undefined ? undefined : (out) => putFile(c.rt.state, fileName, out));
  return { t: 'id', v: id };
}

