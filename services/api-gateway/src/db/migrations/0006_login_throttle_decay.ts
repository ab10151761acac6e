import { type Kysely, sql } from "kysely";

/**
 * Failures on a throttle key leak away with time (one per scope's `leakMs` after `counted_at`)
 * instead of lasting as long as anyone keeps using the key: a shared address (NAT, proxy) whose
 * people keep signing in used to stay delayed for good after one burst of typos.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("login_throttle")
    .addColumn("counted_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("login_throttle").dropColumn("counted_at").execute();
}
