// Reading a unified diff (`diff -u`, as GET /site/{id}/backup/{a}/diff/{b} answers) line by line
// (unit-tested in test/unit/ui-lib.test.ts).

export type DiffLineKind = 'add' | 'del' | 'hunk' | 'meta' | 'ctx';

/**
 * What each line of a unified diff is. File headers (`---`, `+++`, `===`, `Index:`) are only read
 * as such before the first hunk, so a removed line that itself starts with `--` stays a removal.
 */
export function diffLineKinds(lines: readonly string[]): DiffLineKind[] {
  let inHunk = false;
  return lines.map((line) => {
    if (line.startsWith('@@')) {
      inHunk = true;
      return 'hunk';
    }
    if (!inHunk) return 'meta';
    if (line.startsWith('+')) return 'add';
    if (line.startsWith('-')) return 'del';
    if (line.startsWith('\\')) return 'meta'; // "\ No newline at end of file"
    return 'ctx';
  });
}

/** Lines added and removed. */
export function diffStats(kinds: readonly DiffLineKind[]): { added: number; removed: number } {
  return { added: kinds.filter((k) => k === 'add').length, removed: kinds.filter((k) => k === 'del').length };
}
