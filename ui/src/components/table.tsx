import type { ComponentChildren, TableHTMLAttributes } from 'preact';

export interface Column {
  label: string;
  /** e.g. "hide-narrow" to drop the column on small screens. */
  class?: string;
  /** The label is for assistive tech only (e.g. an Actions column of buttons). */
  hiddenLabel?: boolean;
}

export type TableProps = Omit<TableHTMLAttributes, 'class' | 'className' | 'children'> & {
  columns: readonly Column[];
  /** A visually hidden caption, placed before the header. */
  caption?: ComponentChildren;
  /** The caption's id, for aria-describedby on the table. */
  captionId?: string;
  /** The rows (<tr>), rendered inside <tbody>. */
  children: ComponentChildren;
};

/** A scrollable data table: wrapper, header row from `columns`, the rows as children. Other attributes (data-testid, aria-*) go on the <table>. */
export function Table({ columns, caption, captionId, children, ...attrs }: TableProps) {
  return (
    <div class="table-wrap">
      <table class="table" {...attrs}>
        {caption !== undefined ? (
          <caption id={captionId} class="visually-hidden">
            {caption}
          </caption>
        ) : null}
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.label} scope="col" class={c.class}>
                {c.hiddenLabel ? <span class="visually-hidden">{c.label}</span> : c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
