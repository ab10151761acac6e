/**
 * How PutSecret writes (the use-case on a real database): a name never stored takes one statement,
 * its audit row included; any other name a transaction; every attempt is audited exactly once,
 * including one whose write failed.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { createDatabase, migrateToLatest } from "@proximity/db";
import { PermissionDeniedError } from "@proximity/errors";
import { createTestDatabase, statementCounter } from "@proximity/testing";
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { deleteSecret } from "../src/app/delete-secret.js";
import type { SecretsDeps } from "../src/app/deps.js";
import { getSecret } from "../src/app/get-secret.js";
import { putSecret } from "../src/app/put-secret.js";
import type { SecretsDatabase } from "../src/db/database.js";
import type { AccessContext } from "../src/domain/access-context.js";
import { createLocalKeyProvider, secretsMigrations } from "../src/index.js";

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: Kysely<SecretsDatabase>;
let deps: SecretsDeps;
/** Every statement `db` sent, BEGIN and COMMIT included. */
let statements: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  const migrator = createDatabase({ url: database.url, schema: "secrets" });
  await migrateToLatest(migrator, { schema: "secrets", migrations: secretsMigrations });
  await migrator.destroy();
  const pool = new pg.Pool({ connectionString: database.url, options: "-c search_path=secrets" });
  // The database is dropped at the end with these connections still closing.
  pool.on("error", () => undefined);
  pool.on("connect", (client) => client.on("error", () => undefined));
  db = new Kysely<SecretsDatabase>({
    dialect: new PostgresDialect({ pool }),
    log: (event) => {
      statements.push(event.query.sql);
    },
  });
  deps = { db, keys: createLocalKeyProvider({ kek: randomBytes(32).toString("base64") }) };
});

beforeEach(() => {
  statements = [];
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

const provisioner: AccessContext = {
  caller: "provisioner",
  traceId: "0af7651916cd43dd8448eb211c80319c",
  operationId: randomUUID(),
};
const newName = () => `apps/${randomUUID()}/root-password`;
const put = (name: string, value: string, access = provisioner) =>
  putSecret(deps, access, { name, value: Buffer.from(value) });

const auditOf = (name: string) =>
  db
    .selectFrom("access_audit")
    .select(["caller", "action", "allowed", "reason", "trace_id", "operation_id"])
    .where("secret_name", "=", name)
    .orderBy("id")
    .execute();
const versionsOf = async (name: string) =>
  (
    await db
      .selectFrom("secret_versions")
      .select("version")
      .where("name", "=", name)
      .orderBy("version")
      .execute()
  ).map((v) => v.version);
const currentValue = async (name: string) => {
  const got = await getSecret(deps, provisioner, name);
  return { version: got.version, value: got.value.toString() };
};

describe("PutSecret", () => {
  it("put secret - a name never stored: version 1 and its audit row in one statement, no transaction", async () => {
    const name = newName();
    expect(await put(name, "first")).toEqual({ name, version: 1 });
    expect(statements).toHaveLength(1);
    expect(statements[0]).not.toMatch(/^begin/i);
    expect(await auditOf(name)).toEqual([
      {
        caller: "provisioner",
        action: "put",
        allowed: true,
        reason: "provisioner may put apps/*",
        trace_id: provisioner.traceId,
        operation_id: provisioner.operationId,
      },
    ]);
    expect(await currentValue(name)).toEqual({ version: 1, value: "first" });
  });

  it("put secret - an existing name gets the next version in a transaction, audited once per put", async () => {
    const name = newName();
    await put(name, "first");
    statements = [];
    expect(await put(name, "second")).toEqual({ name, version: 2 });
    // The one-statement try (which writes nothing), then the transaction.
    expect(statements[0]).toMatch(/^with "named"/);
    expect(statements.slice(1).map((s) => s.split(/\s/)[0]?.toLowerCase())).toEqual([
      "begin",
      "insert",
      "insert",
      "insert",
      "commit",
    ]);
    expect(await versionsOf(name)).toEqual([1, 2]);
    expect((await auditOf(name)).map((a) => a.action)).toEqual(["put", "put"]);
    expect(await currentValue(name)).toEqual({ version: 2, value: "second" });
  });

  it("put secret - a deleted name is revived with a higher version, never version 1 again", async () => {
    const name = newName();
    await put(name, "first");
    await put(name, "second");
    await deleteSecret(deps, provisioner, name);
    expect(await put(name, "third")).toEqual({ name, version: 3 });
    expect(await versionsOf(name)).toEqual([3]);
    expect(await currentValue(name)).toEqual({ version: 3, value: "third" });
  });

  it("put secret - concurrent first puts of one name get distinct versions, each audited once", async () => {
    const name = newName();
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => put(name, `v${i}`)));
    const versions = results.map((r) => r.version).sort((a, b) => a - b);
    expect(versions).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(await versionsOf(name)).toEqual(versions);
    expect(await auditOf(name)).toHaveLength(8);
    // The current version holds the value of the put that got it.
    const last = results.findIndex((r) => r.version === 8);
    expect(await currentValue(name)).toEqual({ version: 8, value: `v${last}` });
  });

  it("put secret - a write that fails is still audited, once, and leaves nothing behind", async () => {
    const name = newName();
    const counter = statementCounter();
    const failing: SecretsDeps = { ...deps, db: db.withPlugin(counter.plugin) };
    counter.failNext = true;
    await expect(putSecret(failing, provisioner, { name, value: Buffer.from("x") })).rejects.toThrow(
      /database unavailable/,
    );
    expect(await auditOf(name)).toEqual([expect.objectContaining({ action: "put", allowed: true })]);
    expect(await versionsOf(name)).toEqual([]);
    expect(await db.selectFrom("secrets").select("name").where("name", "=", name).execute()).toEqual([]);
  });

  it("put secret - a transaction that fails is audited once, with the attempt's fields, and leaves the secret as it was", async () => {
    const name = newName();
    await put(name, "first");
    // Statements through the plugin: the one-statement try, the version reserved, the version row.
    let sent = 0;
    const failing: SecretsDeps = {
      ...deps,
      db: db.withPlugin({
        transformQuery: (args) => {
          if (++sent === 3) throw new Error("database unavailable");
          return args.node;
        },
        transformResult: async (args) => args.result,
      }),
    };
    await expect(putSecret(failing, provisioner, { name, value: Buffer.from("second") })).rejects.toThrow(
      /database unavailable/,
    );
    const audit = await auditOf(name);
    expect(audit).toHaveLength(2);
    expect(audit[1]).toEqual(audit[0]); // caller, action, decision, reason, trace and operation
    expect(await versionsOf(name)).toEqual([1]);
    expect(await currentValue(name)).toEqual({ version: 1, value: "first" });
  });

  it("put secret - a delete racing a put in flight removes the put's version too: none is left under a deleted name", async () => {
    const name = newName();
    await put(name, "first");
    // A put of the next version, held open between its writes and its commit.
    let commitPut!: () => void;
    const held = new Promise<void>((resolve) => {
      commitPut = resolve;
    });
    const putting = db.transaction().execute(async (trx) => {
      await sql`update secrets set current_version = 2 where name = ${name}`.execute(trx);
      await sql`insert into secret_versions (name, version, kek_id, wrapped_key, iv, ciphertext, tag)
                select name, 2, kek_id, wrapped_key, iv, ciphertext, tag from secret_versions
                where name = ${name} and version = 1`.execute(trx);
      await held;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const deleting = deleteSecret(deps, provisioner, name);
    await new Promise((resolve) => setTimeout(resolve, 100)); // the delete waits on the put's row
    commitPut();
    await putting;
    expect(await deleting).toEqual({ existed: true });
    expect(await versionsOf(name)).toEqual([]);
  });

  it("put secret - a denied put is audited as denied and writes nothing", async () => {
    const name = newName();
    await expect(put(name, "x", { ...provisioner, caller: "api-gateway" })).rejects.toThrow(
      PermissionDeniedError,
    );
    expect(await auditOf(name)).toEqual([
      expect.objectContaining({ caller: "api-gateway", action: "put", allowed: false }),
    ]);
    expect(await versionsOf(name)).toEqual([]);
  });
});
