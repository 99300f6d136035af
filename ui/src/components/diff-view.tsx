// A unified diff (as `diff -u` writes it; GET /site/{id}/backup/{a}/diff/{b}) rendered line by
// line. The text comes from routers, so it is only ever rendered as text nodes, never as markup;
// each changed line also starts with its +/- sign, so the change is readable without colour.

export type DiffLineKind = 'add' | 'del' | 'hunk' | 'meta' | 'ctx';

export function diffLineKind(line: string): DiffLineKind {
  if (line.startsWith('+++') || line.startsWith('---') || line.startsWith('===') || line.startsWith('Index:')) return 'meta';
  if (line.startsWith('@@')) return 'hunk';
  if (line.startsWith('+')) return 'add';
  if (line.startsWith('-')) return 'del';
  return 'ctx';
}

export function DiffView({ diff }: { diff: string }) {
  const lines = diff.replace(/\n$/, '').split('\n');
  const added = lines.filter((l) => diffLineKind(l) === 'add').length;
  const removed = lines.filter((l) => diffLineKind(l) === 'del').length;
  if (added === 0 && removed === 0) return <p class="empty" data-testid="backup-diff">The two configurations are identical.</p>;
  return (
    <div data-testid="backup-diff">
      <p class="small">
        <span class="diff-count-add">{added} {added === 1 ? 'line' : 'lines'} added</span>,{' '}
        <span class="diff-count-del">{removed} removed</span>
      </p>
      <pre class="diff" aria-label="Unified diff">
        {lines.map((l, i) => (
          <span key={i} class={`diff-line diff-${diffLineKind(l)}`}>
            {l}
            {'\n'}
          </span>
        ))}
      </pre>
    </div>
  );
}
