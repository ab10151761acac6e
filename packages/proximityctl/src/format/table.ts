/**
 * Plain-text tables for people: a header row and aligned columns separated by two spaces, no
 * borders, no trailing spaces (easy to read in a terminal, easy to grep). Values are printed as
 * given; empty ones as "-".
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const cells = [headers, ...rows.map((r) => headers.map((_, i) => r[i] || "-"))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  return cells
    .map((r) =>
      r
        .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** `key: value` lines with the values aligned (a record shown on its own). */
export function formatFields(fields: readonly (readonly [string, string])[]): string {
  const width = Math.max(...fields.map(([k]) => k.length)) + 1;
  return fields.map(([k, v]) => `${`${k}:`.padEnd(width)} ${v || "-"}`.trimEnd()).join("\n");
}

/** A timestamp to the second, UTC (`2026-01-10T12:00:01Z`); "-" when absent. */
export function formatTime(at: Date | undefined): string {
  return at ? at.toISOString().replace(/\.\d{3}Z$/, "Z") : "-";
}
