// /file (Files 2555971) and /import (Configuration Management 328155; Scripting 47579229, "import").
import type { Value } from './ast.js';
import { fromBin, toBin } from './bytes.js';
import { ScriptError, isCatchable } from './errors.js';
import { commandError } from './interpreter.js';
import { runJob } from './jobs.js';
import type { MenuCall, MenuCommand, MenuNode } from './menu-kit.js';
import { print } from './menu-kit.js';
import type { TableSpec } from './tables.js';
import { tableMenu } from './tables.js';
import { NOTHING, arr, str, toNum, toStr } from './values.js';
import { has } from './version.js';

function fileNamed(c: MenuCall, name: string): { contents: string; name: string } {
  const f = c.rt.state.files.find((x) => x.name === name);
  if (!f) throw commandError(c.st, 'failure: no such file');
  return f;
}

function text(v: Value | undefined): string | undefined {
  return v === undefined ? undefined : fromBin(toStr(v));
}

/** `/file read file= offset= chunk-size=` (7.13+): a chunk of at most 32768 bytes, as `data`. */
const READ: MenuCommand = {
  feature: 'file-read',
  flags: ['as-value'],
  params: ['file', 'offset', 'chunk-size', 'as-value'],
  run: (c) => {
    const f = fileNamed(c, text(c.named.get('file')) ?? '');
    const offset = toNum(c.named.get('offset') ?? str('0')) ?? -1;
    const size = toNum(c.named.get('chunk-size') ?? str('')) ?? 0;
    if (offset < 0) throw commandError(c.st, 'invalid value for argument offset');
    if (size < 1 || size > 32768) throw commandError(c.st, 'invalid value for argument chunk-size');
    const data = toBin(f.contents).slice(offset, offset + size);
    const rec = arr([], new Map([['data', str(data)]]));
    if (c.flags.has('as-value')) return rec;
    print(c, `  data: ${fromBin(data)}\n`);
    return NOTHING;
  },
};

export const FILE: TableSpec = {
  path: '/file',
  list: (s) => s.files,
  nameProp: 'name',
  // "All groups have access to file operations" (User 8978504).
  writePolicy: [],
  readPolicy: [],
  fields: [
    { ros: 'name', prop: 'name', kind: 'str', def: '', required: true },
    { ros: 'type', prop: 'type', kind: 'str', def: 'file', readOnly: true },
    { ros: 'size', prop: 'size', kind: 'num', def: 0, compute: (e) => Buffer.byteLength(String(e.contents)) },
    { ros: 'contents', prop: 'contents', kind: 'str', def: '', getLimit: 60 * 1024 },
  ],
  extra: { read: READ },
  // `/file add name= type= contents=` is documented for v7 (Files 2555971); v6 has no `add` in
  // /file (believed: scripts there create files with `/file print file=`), so it is refused.
  guard: (c, action) => {
    if (action === 'add' && c.rt.v6) throw commandError(c.st, 'bad command name add');
  },
};


export function fileMenu(): MenuNode {
  return tableMenu(FILE);
}

/** Lines as verbose import reads them: a line continues while a bracket is open or it ends in `\`. */
function verboseChunks(src: string): { line: number; text: string }[] {
  const lines = src.split(/\r\n|\r|\n/);
  const out: { line: number; text: string }[] = [];
  let cur: string[] = [];
  let start = 0;
  let depth = 0;
  lines.forEach((l, i) => {
    if (cur.length === 0) start = i + 1;
    cur.push(l);
    let quoted = false;
    for (let j = 0; j < l.length; j++) {
      const ch = l.charAt(j);
      if (ch === '\\') j++;
      else if (ch === '"') quoted = !quoted;
      else if (!quoted && ch === '#' && (j === 0 || /\s/.test(l.charAt(j - 1)))) break;
      else if (!quoted && (ch === '{' || ch === '[' || ch === '(')) depth++;
      else if (!quoted && (ch === '}' || ch === ']' || ch === ')')) depth--;
    }
    if (depth <= 0 && !/\\\s*$/.test(l)) {
      out.push({ line: start, text: cur.join('\n') });
      cur = [];
      depth = 0;
    }
  });
  if (cur.length > 0) out.push({ line: start, text: cur.join('\n') });
  return out;
}

/**
 * Import errors are `Script Error: ...` and catchable from 7.16 (Scripting 47579229, "import");
 * earlier they stop the importing script as well (believed).
 */
function importError(c: MenuCall, message: string): ScriptError {
  const msg = `Script Error: ${message}`;
  return new ScriptError(msg, msg, has(c.rt.version, 'import-catch'));
}

async function runWhole(c: MenuCall, source: string): Promise<void> {
  try {
    await runJob(c.rt, c.rt.vm.compile(c.rt, source).body, '');
  } catch (e) {
    if (isCatchable(e)) throw importError(c, e.message);
    throw e;
  }
}

/**
 * verbose: "Reads each line from the file and executes individually" (Configuration Management
 * 328155), so every line (a bracket left open continues it) runs in its own scope, as typed lines
 * do in a terminal (Scripting 47579229, "Local scope"). dry-run only compiles (and reports bad
 * command names) and counts the errors.
 */
async function runVerbose(c: MenuCall, source: string, dryRun: boolean, fromLine: number): Promise<void> {
  let errors = 0;
  for (const chunk of verboseChunks(source)) {
    if (chunk.line < fromLine || chunk.text.trim() === '') continue;
    print(c, `#line ${String(chunk.line)}\n${fromBin(chunk.text)}\n`);
    try {
      const program = c.rt.vm.compile(c.rt, chunk.text);
      if (dryRun) {
        for (const bad of c.rt.vm.unresolved(c.rt, program)) {
          print(c, `${bad}\n`);
          errors++;
        }
      } else await runJob(c.rt, program.body, '');
    } catch (e) {
      if (!isCatchable(e)) throw e;
      print(c, `${e.message}\n`);
      if (!dryRun) throw importError(c, e.message);
      errors++;
    }
  }
  if (errors > 0) throw importError(c, `found ${String(errors)} error(s) in import file`);
}

async function importRun(c: MenuCall): Promise<Value> {
  const name = text(c.named.get('file-name') ?? c.pos[0]);
  if (name === undefined || name === '') throw commandError(c.st, 'missing value for file-name');
  const verboseArg = c.named.get('verbose');
  const verbose = c.flags.has('verbose') || (verboseArg !== undefined && (toStr(verboseArg) === 'yes' || toStr(verboseArg) === 'true'));
  const dryRun = c.flags.has('dry-run');
  if ((dryRun || c.named.has('from-line')) && !verbose) throw commandError(c.st, 'dry-run and from-line need verbose');
  const file = fileNamed(c, name);
  const source = toBin(file.contents);
  print(c, `Opening script file ${name}\n`);
  if (verbose) await runVerbose(c, source, dryRun, toNum(c.named.get('from-line') ?? str('1')) ?? 1);
  else await runWhole(c, source);
  print(c, 'Script file loaded and executed successfully\n');
  return NOTHING;
}

export const IMPORT: MenuCommand = {
  flags: ['verbose', 'dry-run'],
  params: ['file-name', 'verbose', 'dry-run', 'from-line'],
  positional: 1,
  run: importRun,
};
