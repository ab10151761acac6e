import { type Kysely, sql } from "kysely";
import type { ApplicationsDatabase } from "./database.js";

type Db = Kysely<ApplicationsDatabase>;

export interface PortRange {
  readonly first: number;
  readonly last: number;
}

/**
 * Inserts an allocation for a free port of the range on `hostId` and records it on the app, in one
 * statement. The candidate is the first free port from a random point of the range on (wrapping
 * round): concurrent deploys rarely pick the same one, and a sparse range costs a lookup or two
 * instead of a pass over all of it. The primary key (host_id, port) decides: a port another
 * transaction took meanwhile inserts nothing, and the caller tries again.
 * @returns the port, `null` when another transaction took the candidate, or "exhausted".
 */
export async function tryAllocatePort(
  db: Db,
  hostId: string,
  appId: string,
  range: PortRange,
): Promise<number | null | "exhausted"> {
  const { first, last } = range;
  const free = (from: unknown, to: unknown) => sql`
    select p from generate_series(${from}::int, ${to}::int) p
    where not exists (select 1 from port_allocations a where a.host_id = ${hostId} and a.port = p)
    limit 1`;
  const start = sql`(select s from start)`;
  const result = await sql<{ port: number | null; candidate: number | null }>`
    with start as (select ${first}::int + floor(random() * (${last}::int - ${first}::int + 1))::int as s),
    candidate as ((${free(start, last)}) union all (${free(first, sql`${start} - 1`)}) limit 1),
    inserted as (
      insert into port_allocations (host_id, port, app_id)
      select ${hostId}, p, ${appId} from candidate
      on conflict do nothing
      returning port),
    recorded as (
      update apps set public_port = inserted.port from inserted where apps.id = ${appId})
    select (select port from inserted) as port, (select p from candidate) as candidate`.execute(db);
  const row = result.rows[0];
  if (row?.port != null) return row.port;
  return row?.candidate == null ? "exhausted" : null;
}

/** Gives an app's published port back to the pool. */
export async function releasePort(db: Db, appId: string): Promise<void> {
  await db.deleteFrom("port_allocations").where("app_id", "=", appId).execute();
}
