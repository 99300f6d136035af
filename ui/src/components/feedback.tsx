import type { ComponentChildren } from 'preact';
import type { ApiError } from '../api/client';

/** The API's error shape, inline: message, code and a link to the code's documentation. */
export function ErrorBox({ error, title }: { error: ApiError; title?: string }) {
  const { message, code, doc_url: doc } = error.body;
  return (
    <div class="error-box" role="alert">
      {title ? <strong>{title}: </strong> : null}
      <span class="error-message">{message}</span>{' '}
      <span class="muted small">
        (<code>{code}</code>
        {doc ? (
          <>
            {' · '}
            <a href={doc} target="_blank" rel="noreferrer">
              what this means
            </a>
          </>
        ) : null}
        )
      </span>
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" /> Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="empty">{children}</div>;
}

/** A titled block of a page, with optional actions beside the heading. */
export function Section({ title, actions, children, id }: { title: string; actions?: ComponentChildren; children: ComponentChildren; id?: string }) {
  const headingId = `${id ?? title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-heading`;
  return (
    <section class="card" aria-labelledby={headingId} id={id}>
      <div class="card-head">
        <h2 id={headingId}>{title}</h2>
        {actions ? <div class="actions">{actions}</div> : null}
      </div>
      {children}
    </section>
  );
}
