import { useState } from 'preact/hooks';
import { setSiteTags } from '../../api/endpoints';
import * as session from '../../api/session';
import type { Site } from '../../api/types';
import { ErrorBox } from '../../components/feedback';
import { useAction } from '../../lib/hooks';
import { href } from '../../lib/router';

// A site's tags (PATCH /site/{id} replaces the list): each links to the fleet filtered by it; with
// sites:write they can be removed and added. The API checks each tag and answers in its error shape.

export function SiteTags({ site, onChange }: { site: Site; onChange: (s: Site) => void }) {
  const [draft, setDraft] = useState('');
  const editable = session.can('sites:write') && site.deleted_at === null;
  const save = useAction(async (tags: string[]) => {
    const updated = await setSiteTags(site.id, tags);
    onChange(updated);
    return updated;
  });
  const add = async (): Promise<void> => {
    const t = draft.trim();
    if (!t) return;
    if (await save.run([...site.tags.filter((x) => x !== t), t])) setDraft('');
  };
  return (
    <div>
      <div class="tags-editor" data-testid="site-tags">
        {site.tags.length === 0 ? <span class="muted">No tags</span> : null}
        {site.tags.map((t) => (
          <span key={t} class="tag">
            <a href={href(`/?tag=${encodeURIComponent(t)}`)} title={`Sites tagged ${t}`}>{t}</a>
            {editable ? (
              <button type="button" class="tag-remove" aria-label={`Remove tag ${t}`} disabled={save.pending}
                onClick={() => void save.run(site.tags.filter((x) => x !== t))}>
                ×
              </button>
            ) : null}
          </span>
        ))}
      </div>
      {editable ? (
        <form class="form inline" onSubmit={(e) => { e.preventDefault(); void add(); }}>
          <label class="visually-hidden" for="new-tag">New tag</label>
          <input id="new-tag" value={draft} placeholder="New tag" maxLength={64} aria-invalid={save.error ? 'true' : undefined}
            onInput={(e) => setDraft(e.currentTarget.value)} />
          <button type="submit" class="button small" disabled={save.pending || draft.trim() === ''}>Add tag</button>
        </form>
      ) : null}
      {save.error ? <ErrorBox error={save.error} title="Tags not saved" /> : null}
    </div>
  );
}
