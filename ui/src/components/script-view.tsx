import { useMemo } from 'preact/hooks';
import { tokenize } from '../lib/routeros-highlight';

/** A read-only, highlighted RouterOS script. */
export function ScriptView({ script }: { script: string }) {
  const tokens = useMemo(() => tokenize(script), [script]);
  return (
    <pre class="mono script" tabIndex={0} aria-label="Script">
      {tokens.map((t, i) => (t.type === 'text' ? t.text : <span key={i} class={`tok-${t.type}`}>{t.text}</span>))}
    </pre>
  );
}
