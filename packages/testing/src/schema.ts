import { type Kysely, sql } from "kysely";

/**
 * Names of the tables in `schema`, sorted, without kysely's own migration tables: what a
 * migration test compares after going up and down.
 * @example
 * expect(await tablesIn(db, "hosts")).toEqual(["hosts", "inbox", "nodes", "outbox"]);
 */
export async function tablesIn(db: Kysely<unknown>, schema: string): Promise<string[]> {
  const { rows } = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = ${schema} and table_name not like 'kysely_%' order by table_name`.execute(db);
  return rows.map((r) => r.table_name);
}
