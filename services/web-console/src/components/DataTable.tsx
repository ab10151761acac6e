import type { ReactNode } from "react";

interface DataTableProps {
  /** Read by screen readers only: what the rows are. */
  readonly caption?: string;
  readonly columns: readonly string[];
  /** Adds a last column of row buttons, named for screen readers only. */
  readonly actions?: boolean;
  readonly className?: string;
  /** The rows: each <td> has data-label="Column", so rows stack into cards on a phone. */
  readonly children: ReactNode;
}

/** A table of records with a header row of named columns. */
export function DataTable({ caption, columns, actions, className, children }: DataTableProps) {
  return (
    <table className={className ? `table ${className}` : "table"}>
      {caption ? <caption className="visually-hidden">{caption}</caption> : null}
      <thead>
        <tr>
          {columns.map((column) => (
            <th key={column} scope="col">
              {column}
            </th>
          ))}
          {actions ? (
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          ) : null}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}
