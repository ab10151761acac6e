import { type Kysely, sql } from "kysely";
import type { ApplicationsDatabase } from "./database.js";

type Db = Kysely<ApplicationsDatabase>;

export interface PortRange {
  readonly first: number;
  readonly last: number;
}

/**
 * Inserts an allocation for a free port of the range on `hostId`, chosen at random among the free
 * ones (concurrent deploys rarely pick the same one). The primary key (host_id, port) decides: a
 * port another transaction took meanwhile inserts nothing, and the caller tries again.
 * @returns the port, `null` when another transaction took the candidate, or "exhausted".
 */
export async function tryAllocatePort(
  db: Db,
  hostId: string,
  appId: string,
  range: PortRange,
): Promise<number | null | "exhausted"> {
  const result = await sql<{ port: number | null; candidate: number | null }>`
    with candidate as (
      select p from generate_series(${range.first}::int, ${range.last}::int) p
      where not exists (select 1 from port_allocations a where a.host_id = ${hostId} and a.port = p)
      order by random() limit 1),
    inserted as (
      insert into port_allocations (host_id, port, app_id)
      select ${hostId}, p, ${appId} from candidate
      on conflict do nothing
      returning port)
    select (select port from inserted) as port, (select p from candidate) as candidate`.execute(db);
  const row = result.rows[0];
  if (row?.port != null) return row.port;
  return row?.candidate == null ? "exhausted" : null;
}

/** Gives an app's published port back to the pool. */
export async function releasePort(db: Db, appId: string): Promise<void> {
  await db.deleteFrom("port_allocations").where("app_id", "=", appId).execute();
}
