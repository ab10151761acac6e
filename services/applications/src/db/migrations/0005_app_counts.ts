import { type Kysely, sql } from "kysely";

/**
 * The number of apps per (owner, status), kept by triggers on `apps` so that a list's `total` is a
 * sum of a few rows instead of a count(*) over the owner's apps on every request. The triggers fire
 * whatever code path changes apps (repository, migration, a manual fix in psql), in the changing
 * transaction, so the sums are exactly the committed rows.
 *
 * The table holds signed deltas, only ever inserted by the triggers (one row per (owner, status)
 * a statement changed): no counter row is locked, so concurrent deploys and status changes of one
 * owner neither wait on each other nor can deadlock on counters, whatever order they change apps
 * in. `app_counts_compact` folds an owner's rows into one per status (a background job of the
 * service; see app-counts-compactor.ts), keeping reads to a few rows.
 *
 * Also the keyset index of the list: one owner's live apps newest first (created_at desc, id desc),
 * and the same over every owner for admins.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table app_counts (
    owner_id text not null,
    status text not null,
    n bigint not null
  )`.execute(db);
  await sql`create index app_counts_owner on app_counts (owner_id, status)`.execute(db);

  // Statement triggers with transition tables: a statement changing many apps adds one row per
  // (owner, status) it changed, not one per app. `set search_path from current`: the functions find
  // app_counts in this service's schema whatever the caller's search_path.
  const trigger = async (name: string, event: string, transition: string, deltas: string) => {
    await sql`create function ${sql.raw(`${name}_fn`)}() returns trigger
      language plpgsql set search_path from current as $$
      begin
        insert into app_counts (owner_id, status, n)
          select owner_id, status, sum(d) from (${sql.raw(deltas)}) as changes(owner_id, status, d)
          group by owner_id, status having sum(d) <> 0;
        return null;
      end $$`.execute(db);
    await sql`create trigger ${sql.raw(name)} after ${sql.raw(event)} on apps
      referencing ${sql.raw(transition)} for each statement execute function ${sql.raw(`${name}_fn`)}()`.execute(
      db,
    );
  };
  await trigger(
    "apps_count_insert",
    "insert",
    "new table as new_rows",
    "select owner_id, status, 1 from new_rows",
  );
  await trigger(
    "apps_count_update",
    "update",
    "old table as old_rows new table as new_rows",
    "select owner_id, status, 1 from new_rows union all select owner_id, status, -1 from old_rows",
  );
  await trigger(
    "apps_count_delete",
    "delete",
    "old table as old_rows",
    "select owner_id, status, -1 from old_rows",
  );

  // Folds the rows of up to `max_owners` owners with the most rows into one per (owner, status).
  // Safe beside writers and other compactions: the delete takes the rows it sees (a concurrent
  // compaction that took them first leaves them out), rows inserted meanwhile stay, and the sums go
  // back in the same statement, so a reader sees the totals before or after, never in between.
  await sql`create function app_counts_compact(max_owners int) returns integer
    language sql set search_path from current as $$
      with owners as (
        select owner_id from app_counts group by owner_id
        having count(*) > count(distinct status) order by count(*) desc limit max_owners
      ), moved as (
        delete from app_counts where owner_id in (select owner_id from owners) returning owner_id, status, n
      ), folded as (
        insert into app_counts (owner_id, status, n)
          select owner_id, status, sum(n) from moved group by owner_id, status having sum(n) <> 0
          returning 1
      )
      select count(*)::int from moved
    $$`.execute(db);

  // Backfill. Creating the triggers locked apps against writes until this migration commits, so no
  // change can fall between the count and the triggers.
  await sql`insert into app_counts (owner_id, status, n)
    select owner_id, status, count(*) from apps group by owner_id, status`.execute(db);

  // Keyset pages: `(created_at, id) < (cursor)` walks these in order and stops after a page.
  await sql`create index apps_live_owner_keyset on apps (owner_id, created_at desc, id desc)
    where status <> 'gone'`.execute(db);
  await sql`create index apps_live_keyset on apps (created_at desc, id desc) where status <> 'gone'`.execute(
    db,
  );
  await sql`drop index if exists apps_owner_created`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`create index if not exists apps_owner_created on apps (owner_id, created_at desc)`.execute(db);
  await sql`drop index if exists apps_live_keyset`.execute(db);
  await sql`drop index if exists apps_live_owner_keyset`.execute(db);
  for (const name of ["apps_count_delete", "apps_count_update", "apps_count_insert"]) {
    await sql`drop trigger if exists ${sql.raw(name)} on apps`.execute(db);
    await sql`drop function if exists ${sql.raw(`${name}_fn`)}()`.execute(db);
  }
  await sql`drop function if exists app_counts_compact(int)`.execute(db);
  await sql`drop table if exists app_counts`.execute(db);
}
