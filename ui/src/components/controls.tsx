import { useEffect, useRef, useState } from 'preact/hooks';

/** Copies `text` to the clipboard and says so (in words, announced to screen readers). */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      setState('failed');
    }
    setTimeout(() => setState('idle'), 2500);
  };
  return (
    <span class="copy">
      <button type="button" class="button" onClick={() => void copy()}>
        {label}
      </button>
      <span class="small copy-status" role="status" aria-live="polite">
        {state === 'copied' ? 'Copied to the clipboard' : state === 'failed' ? 'Copy failed: select the text and copy it' : ''}
      </span>
    </span>
  );
}

/** The cursors of the pages visited so far: undefined for the first page, then each X-Next-Cursor. */
export type Cursors = (string | undefined)[];

export interface PagerProps {
  /** The pages visited so far (useState); their count is the page number shown. */
  cursors: Cursors;
  setCursors: (update: (c: Cursors) => Cursors) => void;
  /** The current page's next cursor, if there is a next page. */
  next: string | null | undefined;
  /** e.g. "Showing 1–50 of 10,000 sites"; omitted when the total is unknown (cursor paging). */
  summary?: string;
  label: string;
}

/** Previous/next over a cursor-paged list (the API's X-Next-Cursor). */
export function Pager({ cursors, setCursors, next, summary, label }: PagerProps) {
  const hasPrev = cursors.length > 1;
  if (!hasPrev && !next) return summary ? <p class="small muted">{summary}</p> : null;
  return (
    <nav class="pager" aria-label={label}>
      <button type="button" class="button" onClick={() => setCursors((c) => c.slice(0, -1))} disabled={!hasPrev}>
        ← Previous
      </button>
      <span class="small">
        Page {cursors.length}
        {summary ? ` · ${summary}` : ''}
      </span>
      <button type="button" class="button" onClick={() => next && setCursors((c) => [...c, next])} disabled={!next}>
        Next →
      </button>
    </nav>
  );
}

/** A button that asks "Are you sure?" in place before running a dangerous action. */
export function ConfirmButton({ label, confirmLabel, question, onConfirm, disabled }: {
  label: string;
  confirmLabel: string;
  question: string;
  onConfirm: () => void;
  disabled?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  const yes = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking) yes.current?.focus();
  }, [asking]);
  if (!asking) {
    return (
      <button type="button" class="button" onClick={() => setAsking(true)} disabled={disabled}>
        {label}
      </button>
    );
  }
  return (
    <span class="confirm" role="group" aria-label={question}>
      <span class="small">{question}</span>{' '}
      <button
        type="button"
        class="button danger"
        ref={yes}
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        {confirmLabel}
      </button>{' '}
      <button type="button" class="button" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}
