/**
 * A dump of every row of every table in every schema of a database (the services' schemas of one
 * platform), to tell whether anything changed between two points in time. Columns or tables that
 * change by design on every request are left out by name, each with the reason.
 */
import pg from "pg";

/** A column (or, without `column`, a whole table) left out of the dump, and why. */
export interface SnapshotExclusion {
  readonly schema: string;
  readonly table: string;
  readonly column?: string;
  readonly reason: string;
}

/** Rows per `schema.table`, each row as JSON text without excluded columns, sorted. */
export type Snapshot = ReadonlyMap<string, readonly string[]>;

export async function snapshotDatabase(
  url: string,
  exclusions: readonly SnapshotExclusion[],
): Promise<Snapshot> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ schema: string; table: string }>(
      `select table_schema as schema, table_name as table from information_schema.tables
        where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')
        order by 1, 2`,
    );
    const snapshot = new Map<string, string[]>();
    for (const { schema, table } of tables.rows) {
      const excluded = exclusions.filter((e) => e.schema === schema && e.table === table);
      if (excluded.some((e) => e.column === undefined)) continue;
      const columns = excluded.map((e) => e.column!);
      const rows = await client.query<{ row: string }>(
        `select (to_jsonb(t) - $1::text[])::text as row from ${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(table)} t`,
        [columns],
      );
      snapshot.set(`${schema}.${table}`, rows.rows.map((r) => r.row).sort());
    }
    return snapshot;
  } finally {
    await client.end();
  }
}

/** Row counts per table, for a short summary. */
export function rowCounts(snapshot: Snapshot): Record<string, number> {
  return Object.fromEntries([...snapshot].map(([table, rows]) => [table, rows.length]));
}

/** What differs between two snapshots: per table, the rows only in one of them (at most `limit`). */
export function snapshotDifferences(before: Snapshot, after: Snapshot, limit = 5): string[] {
  const differences: string[] = [];
  for (const table of new Set([...before.keys(), ...after.keys()])) {
    const a = new Set(before.get(table) ?? []);
    const b = new Set(after.get(table) ?? []);
    const gone = [...a].filter((row) => !b.has(row));
    const added = [...b].filter((row) => !a.has(row));
    if (!before.has(table)) differences.push(`${table}: table appeared`);
    if (!after.has(table)) differences.push(`${table}: table disappeared`);
    const [countBefore, countAfter] = [before.get(table)?.length ?? 0, after.get(table)?.length ?? 0];
    if (countBefore !== countAfter) differences.push(`${table}: ${countBefore} rows, then ${countAfter}`);
    for (const row of gone.slice(0, limit)) differences.push(`${table} - ${row.slice(0, 500)}`);
    for (const row of added.slice(0, limit)) differences.push(`${table} + ${row.slice(0, 500)}`);
  }
  return differences;
}
