import { sql } from "kysely";
import { defaultPolicyRow } from "./backup-policy.repository.js";
import type { BackupsDb } from "./database.js";

/** An app as an event or the applications service describes it; "" = not said. */
export interface AppFacts {
  readonly appId: string;
  readonly ownerId: string;
  readonly hostname: string;
  /** "" also for an adopted app of no known catalog type. */
  readonly catalogId: string;
}

/** The names to store: those said, null for those not said. */
function namesOf(app: AppFacts) {
  return { hostname: app.hostname || null, catalog_id: app.catalogId || null };
}

/** On a known row, names not said now keep the ones known (a rename of neither exists). */
const KEEP_KNOWN_NAMES = {
  hostname: sql<string | null>`coalesce(excluded.hostname, app_owners.hostname)`,
  catalog_id: sql<string | null>`coalesce(excluded.catalog_id, app_owners.catalog_id)`,
};

/**
 * Records the owner and names of a live app. A deleted app stays deleted (app ids are never
 * reused, and a late redelivery of an earlier event must not bring it back). True when the app is
 * deleted.
 */
export async function upsertAppOwner(db: BackupsDb, app: AppFacts): Promise<{ deleted: boolean }> {
  const row = await db
    .insertInto("app_owners")
    .values({ app_id: app.appId, owner_id: app.ownerId, ...namesOf(app) })
    .onConflict((oc) =>
      oc.column("app_id").doUpdateSet({ owner_id: app.ownerId, ...KEEP_KNOWN_NAMES, updated_at: sql`now()` }),
    )
    .returning("deleted_at")
    .executeTakeFirstOrThrow();
  return { deleted: row.deleted_at !== null };
}

/** An event delivered to an inbox consumer: done once per (consumer, event id). */
export interface InboxDelivery {
  readonly consumer: string;
  readonly eventId: string;
}

/**
 * upsertAppOwner and, for a live app without a policy, insertDefaultPolicyIfAbsent, once per
 * delivery (the inbox row), in one statement: one round trip per deployed app instead of five
 * (BEGIN, inbox, owner, policy, COMMIT), atomic without a transaction. Each step runs only on the
 * rows the one before returned: a redelivery changes nothing. Whether the app is deleted comes
 * from the upsert's RETURNING (the statement's CTEs share one snapshot, a re-read would not see
 * the row the upsert just wrote).
 */
export async function recordAppOwnerOnce(
  db: BackupsDb,
  delivery: InboxDelivery,
  app: AppFacts,
): Promise<{ processed: false } | { processed: true; result: { policyCreated: boolean; deleted: boolean } }> {
  const names = namesOf(app);
  const policy = defaultPolicyRow(app.appId);
  const { rows } = await sql<{ processed: boolean; policy_created: boolean; deleted: boolean }>`
    with first_delivery as (
      insert into inbox (consumer, event_id) values (${delivery.consumer}, ${delivery.eventId})
      on conflict (consumer, event_id) do nothing
      returning event_id
    ),
    owner as (
      insert into app_owners (app_id, owner_id, hostname, catalog_id)
      select ${app.appId}, ${app.ownerId}, ${names.hostname}, ${names.catalog_id} from first_delivery
      on conflict (app_id) do update set
        owner_id = excluded.owner_id,
        hostname = ${KEEP_KNOWN_NAMES.hostname},
        catalog_id = ${KEEP_KNOWN_NAMES.catalog_id},
        updated_at = now()
      returning deleted_at is not null as deleted
    ),
    policy as (
      insert into backup_policies (${sql.join(Object.keys(policy).map((column) => sql.ref(column)))})
      select ${sql.join(Object.values(policy))} from owner where not owner.deleted
      on conflict (app_id) do nothing
      returning app_id
    )
    select
      exists (select from first_delivery) as processed,
      exists (select from policy) as policy_created,
      coalesce((select deleted from owner), false) as deleted`.execute(db);
  const row = rows[0]!;
  if (!row.processed) return { processed: false };
  return { processed: true, result: { policyCreated: row.policy_created, deleted: row.deleted } };
}

/**
 * Marks an app deleted (its row is created if its earlier events never arrived); the first date
 * stays, and the names the deletion carries are kept: they name the app's backups from now on.
 */
export async function markAppDeleted(db: BackupsDb, app: AppFacts): Promise<void> {
  await db
    .insertInto("app_owners")
    .values({ app_id: app.appId, owner_id: app.ownerId, ...namesOf(app), deleted_at: sql<Date>`now()` })
    .onConflict((oc) =>
      oc.column("app_id").doUpdateSet({
        deleted_at: sql<Date>`coalesce(app_owners.deleted_at, now())`,
        ...KEEP_KNOWN_NAMES,
        updated_at: sql`now()`,
      }),
    )
    .execute();
}

/**
 * Who owns the app, whether it is deleted and whether its host name is known, as the app events
 * and answers said; undefined before any arrived.
 */
export async function findAppOwner(
  db: BackupsDb,
  appId: string,
): Promise<{ ownerId: string; deleted: boolean; named: boolean } | undefined> {
  const row = await db
    .selectFrom("app_owners")
    .select(["owner_id", "deleted_at", "hostname"])
    .where("app_id", "=", appId)
    .executeTakeFirst();
  return row && { ownerId: row.owner_id, deleted: row.deleted_at !== null, named: row.hostname !== null };
}
