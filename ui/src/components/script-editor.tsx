import { useMemo, useRef } from 'preact/hooks';
import { tokenize } from '../lib/routeros-highlight';

// A plain <textarea> (so typing, undo, paste, selection and screen readers work as usual) over a
// <pre> that shows the same text highlighted. Tab keeps moving focus (keyboard navigation wins).

export function ScriptEditor({ id, value, onInput, describedBy, invalid }: {
  id: string;
  value: string;
  onInput: (v: string) => void;
  describedBy?: string;
  invalid?: boolean;
}) {
  const pre = useRef<HTMLPreElement>(null);
  const tokens = useMemo(() => tokenize(value), [value]);
  const sync = (e: Event): void => {
    const t = e.currentTarget as HTMLTextAreaElement;
    if (pre.current) {
      pre.current.scrollTop = t.scrollTop;
      pre.current.scrollLeft = t.scrollLeft;
    }
  };
  return (
    <div class="editor">
      <pre ref={pre} class="editor-highlight" aria-hidden="true">
        {tokens.map((t, i) => (t.type === 'text' ? t.text : <span key={i} class={`tok-${t.type}`}>{t.text}</span>))}
        {/* a trailing newline needs a character after it to take up its line */}
        {'\n '}
      </pre>
      <textarea
        id={id}
        class="editor-input"
        value={value}
        spellcheck={false}
        autocapitalize="off"
        autocomplete="off"
        wrap="off"
        aria-describedby={describedBy}
        aria-invalid={invalid ? 'true' : undefined}
        onInput={(e) => {
          onInput(e.currentTarget.value);
          sync(e);
        }}
        onScroll={sync}
        required
      />
    </div>
  );
}
