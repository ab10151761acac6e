import { type Kysely, type Selectable, sql, type Transaction } from "kysely";
import type { SealedSecret } from "../crypto/envelope.js";
import type { AccessAuditEntry } from "./access-audit.repository.js";
import type { SecretsDatabase } from "./database.js";
import type { SecretVersionsTable } from "./secret-versions.table.js";

type Db = Kysely<SecretsDatabase> | Transaction<SecretsDatabase>;

/** A stored version with its envelope. */
export interface StoredSecretVersion extends SealedSecret {
  readonly name: string;
  readonly version: number;
}

/**
 * Stores version 1 of a name never stored before, with the access's audit row, in one statement
 * (one round trip, no transaction to open and commit). False when the name exists, deleted or
 * not: nothing is written then, not even the audit row (the caller takes the general way).
 */
export async function storeFirstVersion(
  db: Kysely<SecretsDatabase>,
  v: SealedSecret & { readonly name: string },
  audit: AccessAuditEntry,
): Promise<boolean> {
  const row = await db
    .with("named", (q) =>
      q
        .insertInto("secrets")
        .values({ name: v.name, current_version: 1, deleted_at: null })
        .onConflict((oc) => oc.column("name").doNothing())
        .returning("name"),
    )
    .with("stored", (q) =>
      q
        .insertInto("secret_versions")
        .columns(["name", "version", "kek_id", "wrapped_key", "iv", "ciphertext", "tag"])
        .expression((eb) =>
          eb
            .selectFrom("named")
            .select((s) => [
              "named.name",
              s.cast<number>(s.val(1), "integer").as("version"),
              s.cast<string>(s.val(v.kekId), "text").as("kek_id"),
              s.cast<Buffer>(s.val(v.wrappedKey), "bytea").as("wrapped_key"),
              s.cast<Buffer>(s.val(v.iv), "bytea").as("iv"),
              s.cast<Buffer>(s.val(v.ciphertext), "bytea").as("ciphertext"),
              s.cast<Buffer>(s.val(v.tag), "bytea").as("tag"),
            ]),
        )
        .returning("name"),
    )
    .insertInto("access_audit")
    .columns(["caller", "action", "secret_name", "allowed", "reason", "trace_id", "operation_id"])
    .expression((eb) =>
      eb
        .selectFrom("stored")
        .select((s) => [
          s.cast<string>(s.val(audit.caller), "text").as("caller"),
          s.cast<string>(s.val(audit.action), "text").as("action"),
          "stored.name",
          s.cast<boolean>(s.val(audit.allowed), "boolean").as("allowed"),
          s.cast<string>(s.val(audit.reason), "text").as("reason"),
          s.cast<string>(s.val(audit.traceId), "text").as("trace_id"),
          s.cast<string | null>(s.val(audit.operationId), "uuid").as("operation_id"),
        ]),
    )
    .returning("id")
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Reserves the next version of `name` (1 for a new name): one atomic upsert, so concurrent puts
 * get distinct versions. Reviving a deleted name continues its numbering.
 */
export async function reserveNextVersion(trx: Transaction<SecretsDatabase>, name: string): Promise<number> {
  const row = await trx
    .insertInto("secrets")
    .values({ name, current_version: 1, deleted_at: null })
    .onConflict((oc) =>
      oc.column("name").doUpdateSet({
        current_version: sql`secrets.current_version + 1`,
        updated_at: sql`now()`,
        deleted_at: null,
      }),
    )
    .returning("current_version")
    .executeTakeFirstOrThrow();
  return row.current_version;
}

export async function insertSecretVersion(
  trx: Transaction<SecretsDatabase>,
  v: StoredSecretVersion,
): Promise<void> {
  await trx
    .insertInto("secret_versions")
    .values({
      name: v.name,
      version: v.version,
      kek_id: v.kekId,
      wrapped_key: v.wrappedKey,
      iv: v.iv,
      ciphertext: v.ciphertext,
      tag: v.tag,
    })
    .execute();
}

/** The current version of a live secret, or undefined. */
export async function findCurrentSecretVersion(
  db: Db,
  name: string,
): Promise<StoredSecretVersion | undefined> {
  const row = await db
    .selectFrom("secrets as s")
    .innerJoin("secret_versions as v", (j) =>
      j.onRef("v.name", "=", "s.name").onRef("v.version", "=", "s.current_version"),
    )
    .select(["v.name", "v.version", "v.kek_id", "v.wrapped_key", "v.iv", "v.ciphertext", "v.tag"])
    .where("s.name", "=", name)
    .where("s.deleted_at", "is", null)
    .executeTakeFirst();
  return row && toStored(row);
}

/**
 * Marks the name deleted and removes every version; true when a live secret existed. The name's
 * row is marked first: that waits for a put of the name in flight, whose new version the delete
 * then sees and removes (deleting the versions first left that version behind, stored under a
 * deleted name).
 */
export async function deleteSecretVersions(
  trx: Transaction<SecretsDatabase>,
  name: string,
): Promise<boolean> {
  const res = await trx
    .updateTable("secrets")
    .set({ deleted_at: sql`now()`, updated_at: sql`now()` })
    .where("name", "=", name)
    .where("deleted_at", "is", null)
    .executeTakeFirst();
  await trx.deleteFrom("secret_versions").where("name", "=", name).execute();
  return Number(res.numUpdatedRows) > 0;
}

/** A batch of versions not wrapped by `keyId`, locked for re-wrapping (other workers skip them). */
export async function lockVersionsNotWrappedBy(
  trx: Transaction<SecretsDatabase>,
  keyId: string,
  limit: number,
): Promise<StoredSecretVersion[]> {
  const rows = await trx
    .selectFrom("secret_versions")
    .select(["name", "version", "kek_id", "wrapped_key", "iv", "ciphertext", "tag"])
    .where("kek_id", "<>", keyId)
    .orderBy("name")
    .orderBy("version")
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
  return rows.map(toStored);
}

export async function updateWrappedKey(
  trx: Transaction<SecretsDatabase>,
  v: { name: string; version: number; kekId: string; wrappedKey: Buffer },
): Promise<void> {
  await trx
    .updateTable("secret_versions")
    .set({ kek_id: v.kekId, wrapped_key: v.wrappedKey })
    .where("name", "=", v.name)
    .where("version", "=", v.version)
    .execute();
}

function toStored(row: Omit<Selectable<SecretVersionsTable>, "created_at">): StoredSecretVersion {
  return {
    name: row.name,
    version: row.version,
    kekId: row.kek_id,
    wrappedKey: row.wrapped_key,
    iv: row.iv,
    ciphertext: row.ciphertext,
    tag: row.tag,
  };
}
