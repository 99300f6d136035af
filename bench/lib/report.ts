import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

/** The machine a number was measured on, stored with every result. */
export function machine(): Record<string, unknown> {
  return { cpus: cpus().length, cpu: cpus()[0]?.model, memGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
}

/** Prints rows as an aligned text table. */
export function printTable<R>(title: string, rows: R[], columns: [string, (r: R) => string][]): void {
  const cells = [columns.map(([h]) => h), ...rows.map((r) => columns.map(([, f]) => f(r)))];
  const widths = columns.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  console.log(`\n${title}`);
  for (const [i, row] of cells.entries()) {
    console.log(row.map((c, j) => (j === 0 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join('  '));
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}

/** Writes bench/results/<name>-<timestamp>.json and bench/results/<name>-latest.json. */
export function writeResult(name: string, data: Record<string, unknown>): void {
  const dir = join(process.cwd(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const doc = JSON.stringify({ name, at: new Date().toISOString(), machine: machine(), ...data }, null, 2);
  writeFileSync(join(dir, `${name}-latest.json`), doc + '\n');
  writeFileSync(join(dir, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`), doc + '\n');
}
