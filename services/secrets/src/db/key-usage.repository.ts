import { type Kysely, sql } from "kysely";
import type { SecretsDatabase } from "./database.js";

/** How many secret versions each KEK id wraps (ids with no version are absent). */
export async function countVersionsByKek(db: Kysely<SecretsDatabase>): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom("secret_versions")
    .select(["kek_id", sql<string>`count(*)`.as("versions")])
    .groupBy("kek_id")
    .execute();
  return new Map(rows.map((r) => [r.kek_id, Number(r.versions)]));
}

/** Versions whose data key is still wrapped by a KEK other than `keyId`. */
export async function countVersionsNotWrappedBy(db: Kysely<SecretsDatabase>, keyId: string): Promise<number> {
  const row = await db
    .selectFrom("secret_versions")
    .select(sql<string>`count(*)`.as("n"))
    .where("kek_id", "<>", keyId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
