import { diffLineKinds, diffStats } from '../lib/diff';

// A unified diff (as `diff -u` writes it; GET /site/{id}/backup/{a}/diff/{b}) rendered line by
// line. The text comes from routers, so it is only ever rendered as text nodes, never as markup;
// each changed line also starts with its +/- sign, so the change is readable without colour.

export function DiffView({ diff }: { diff: string }) {
  const lines = diff.replace(/\n$/, '').split('\n');
  const kinds = diffLineKinds(lines);
  const { added, removed } = diffStats(kinds);
  if (added === 0 && removed === 0) return <p class="empty" data-testid="backup-diff">The two configurations are identical.</p>;
  return (
    <div data-testid="backup-diff">
      <p class="small">
        <span class="diff-count-add">{added} {added === 1 ? 'line' : 'lines'} added</span>,{' '}
        <span class="diff-count-del">{removed} removed</span>
      </p>
      <pre class="diff" aria-label="Unified diff">
        {lines.map((l, i) => (
          <span key={i} class={`diff-line diff-${kinds[i] ?? 'ctx'}`}>
            {l}
            {'\n'}
          </span>
        ))}
      </pre>
    </div>
  );
}
