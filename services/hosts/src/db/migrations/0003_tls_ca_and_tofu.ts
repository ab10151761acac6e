import type { Kysely } from "kysely";

/**
 * A per-host CA for the API's TLS (issue 4: "TLS fingerprint or CA") and the admin's consent to
 * trust a node's first SSH host key (issue 3). The CA is public material, so it lives here, not in
 * the secrets service. `trust_on_first_use` is cleared once the key is pinned.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("hosts").addColumn("tls_ca_pem", "text").execute();
  await db.schema
    .alterTable("nodes")
    .addColumn("trust_on_first_use", "boolean", (c) => c.notNull().defaultTo(false))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("nodes").dropColumn("trust_on_first_use").execute();
  await db.schema.alterTable("hosts").dropColumn("tls_ca_pem").execute();
}
