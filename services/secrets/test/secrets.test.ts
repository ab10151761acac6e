import { randomBytes, randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { ConfigError } from "@proximity/config";
import { createDatabase } from "@proximity/db";
import { InternalError, NotFoundError, PermissionDeniedError, ValidationError } from "@proximity/errors";
import type { ServiceIdentity } from "@proximity/grpc";
import { createLogger } from "@proximity/logger";
import { type Kysely, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SecretsDatabase } from "../src/db/database.js";
import { newKek, secretsTestConfig, secretsTestEnvironment, startSecrets } from "./fixture.js";

let env: Awaited<ReturnType<typeof secretsTestEnvironment>>;
let secrets: Awaited<ReturnType<typeof startSecrets>>;
let db: Kysely<SecretsDatabase>;
const logLines: string[] = [];

beforeAll(async () => {
  env = await secretsTestEnvironment();
  // Capture every log line (debug and up) to check that no value is ever logged.
  const sink = new Writable({
    write(chunk, _enc, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  secrets = await startSecrets({
    databaseUrl: env.database.url,
    keys: env.keys,
    logger: createLogger({ service: "secrets", level: "debug" }, sink),
  });
  db = createDatabase<SecretsDatabase>({ url: env.database.url, schema: "secrets" });
});

afterAll(async () => {
  await db?.destroy();
  await secrets?.stop();
  await env?.database.drop();
});

const auditOf = (name: string) =>
  db
    .selectFrom("access_audit")
    .select(["caller", "action", "allowed", "reason"])
    .where("secret_name", "=", name)
    .orderBy("id")
    .execute();

describe("secrets service", () => {
  it("PutSecret/GetSecret - round trip; each put is a new version", async () => {
    const provisioner = secrets.clientAs("provisioner");
    expect(await provisioner.putSecret({ name: "apps/a1/root", value: Buffer.from("first") })).toEqual({
      name: "apps/a1/root",
      version: 1,
    });
    expect(
      (await provisioner.putSecret({ name: "apps/a1/root", value: Buffer.from("second") })).version,
    ).toBe(2);
    const got = await provisioner.getSecret({ name: "apps/a1/root" });
    expect(got.version).toBe(2);
    expect(got.value.toString()).toBe("second");
  });

  it("storage - the value appears nowhere in the schema, in any encoding", async () => {
    const value = "Pl41ntext-M4rker-Zq9";
    await secrets.clientAs("hosts").putSecret({ name: "proxmox/hosts/h1/api", value: Buffer.from(value) });
    const row = await db
      .selectFrom("secret_versions")
      .selectAll()
      .where("name", "=", "proxmox/hosts/h1/api")
      .executeTakeFirstOrThrow();
    expect(row.ciphertext.equals(Buffer.from(value))).toBe(false);

    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables where table_schema = 'secrets'`.execute(db);
    expect(tables.rows.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(["secrets", "secret_versions", "access_audit"]),
    );
    let dump = "";
    for (const { table_name } of tables.rows) {
      const rows = await sql<{
        t: string;
      }>`select t::text as t from ${sql.table(`secrets.${table_name}`)} t`.execute(db);
      dump += rows.rows.map((r) => r.t).join("\n");
    }
    expect(dump).toContain("proxmox/hosts/h1/api");
    for (const encoded of [value, Buffer.from(value).toString("hex"), Buffer.from(value).toString("base64")])
      expect(dump.toLowerCase()).not.toContain(encoded.toLowerCase());
    expect(logLines.join("")).not.toContain(value);
    expect(logLines.length).toBeGreaterThan(0);
  });

  it("GetSecret - a tampered ciphertext is a decryption error, never the raw bytes", async () => {
    const provisioner = secrets.clientAs("provisioner");
    await provisioner.putSecret({ name: "apps/tamper/x", value: Buffer.from("intact") });
    await sql`update secret_versions set ciphertext = set_byte(ciphertext, 0, get_byte(ciphertext, 0) # 1)
              where name = 'apps/tamper/x'`.execute(db);
    await expect(provisioner.getSecret({ name: "apps/tamper/x" })).rejects.toBeInstanceOf(InternalError);
  });

  it("GetSecret - a ciphertext moved to another secret does not decrypt", async () => {
    const provisioner = secrets.clientAs("provisioner");
    await provisioner.putSecret({ name: "apps/m/source", value: Buffer.from("source value") });
    await provisioner.putSecret({ name: "apps/m/target", value: Buffer.from("target value") });
    await sql`update secret_versions t set kek_id = s.kek_id, wrapped_key = s.wrapped_key, iv = s.iv,
                ciphertext = s.ciphertext, tag = s.tag
              from secret_versions s where s.name = 'apps/m/source' and t.name = 'apps/m/target'`.execute(db);
    await expect(provisioner.getSecret({ name: "apps/m/target" })).rejects.toThrow("Internal error");
    expect((await provisioner.getSecret({ name: "apps/m/source" })).value.toString()).toBe("source value");
  });

  it("policy - every attempt is allowed or denied per caller and audited with its outcome", async () => {
    const name = "proxmox/hosts/matrix/api";
    const attempts: [ServiceIdentity, "put" | "get" | "delete", boolean][] = [
      ["hosts", "put", true],
      ["hosts", "get", false],
      ["provisioner", "get", true],
      ["api-gateway", "get", false],
      ["applications", "get", false],
      ["backups", "put", false],
      ["provisioner", "put", false],
      ["hosts", "delete", true],
    ];
    for (const [caller, action, allowed] of attempts) {
      const client = secrets.clientAs(caller);
      const call =
        action === "put"
          ? client.putSecret({ name, value: Buffer.from("v") })
          : action === "get"
            ? client.getSecret({ name })
            : client.deleteSecret({ name });
      if (allowed) await expect(call).resolves.toBeDefined();
      else await expect(call).rejects.toBeInstanceOf(PermissionDeniedError);
    }
    const audit = await auditOf(name);
    expect(audit.map((a) => [a.caller, a.action, a.allowed])).toEqual(attempts);
    expect(audit.every((a) => a.reason.length > 0)).toBe(true);
  });

  it("audit - each access carries the call's trace id and the operation id the caller gave; the trail is append-only", async () => {
    const name = "apps/traced/env/DB_PASSWORD";
    const trace = (id: string) => `00-${id}-${randomBytes(8).toString("hex")}-01`;
    const [put, get, denied, del] = Array.from({ length: 4 }, () => randomBytes(16).toString("hex"));
    const operationId = randomUUID();
    const applications = secrets.clientAs("applications");
    const provisioner = secrets.clientAs("provisioner");
    await applications.putSecret({ name, value: Buffer.from("v") }, { traceparent: trace(put!) });
    await provisioner.getSecret({ name, operationId }, { traceparent: trace(get!) });
    await expect(
      secrets.clientAs("backups").getSecret({ name, operationId }, { traceparent: trace(denied!) }),
    ).rejects.toBeInstanceOf(PermissionDeniedError);
    await provisioner.deleteSecret({ name, operationId }, { traceparent: trace(del!) });
    const rows = await db
      .selectFrom("access_audit")
      .select(["caller", "action", "allowed", "trace_id", "operation_id"])
      .where("secret_name", "=", name)
      .orderBy("id")
      .execute();
    expect(rows).toEqual([
      { caller: "applications", action: "put", allowed: true, trace_id: put, operation_id: null },
      { caller: "provisioner", action: "get", allowed: true, trace_id: get, operation_id: operationId },
      { caller: "backups", action: "get", allowed: false, trace_id: denied, operation_id: operationId },
      { caller: "provisioner", action: "delete", allowed: true, trace_id: del, operation_id: operationId },
    ]);
    // An operation id is a UUID or nothing: refused before anything is read or recorded.
    const before = (await auditOf(name)).length;
    const err = await provisioner.getSecret({ name, operationId: "op' or 1=1" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).fieldErrors).toEqual([
      { field: "operation_id", message: "must be a UUID" },
    ]);
    expect(await auditOf(name)).toHaveLength(before);
    for (const statement of [
      sql`update secrets.access_audit set allowed = true`,
      sql`delete from secrets.access_audit`,
      sql`truncate secrets.access_audit`,
    ])
      await expect(statement.execute(db)).rejects.toThrow(/access_audit is append-only/);
  });

  it("DeleteSecret - removes every version; idempotent; the name can be reused with a higher version", async () => {
    const provisioner = secrets.clientAs("provisioner");
    await provisioner.putSecret({ name: "apps/d/x", value: Buffer.from("1") });
    await provisioner.putSecret({ name: "apps/d/x", value: Buffer.from("2") });
    await provisioner.deleteSecret({ name: "apps/d/x" });
    const left = await db
      .selectFrom("secret_versions")
      .select("version")
      .where("name", "=", "apps/d/x")
      .execute();
    expect(left).toEqual([]);
    await expect(provisioner.getSecret({ name: "apps/d/x" })).rejects.toBeInstanceOf(NotFoundError);
    await expect(provisioner.deleteSecret({ name: "apps/d/x" })).resolves.toEqual({});
    expect((await provisioner.putSecret({ name: "apps/d/x", value: Buffer.from("3") })).version).toBe(3);
  });

  it("validation - bad names and oversized values are rejected with the field", async () => {
    const provisioner = secrets.clientAs("provisioner");
    for (const name of ["", "apps/x/../y", "/apps/x", "apps/x y", `apps/${"a".repeat(200)}`]) {
      const err = await provisioner.getSecret({ name }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).fieldErrors[0]?.field).toBe("name");
    }
    const big = await provisioner
      .putSecret({ name: "apps/big", value: Buffer.alloc(64 * 1024 + 1, 1) })
      .catch((e) => e);
    expect((big as ValidationError).fieldErrors[0]?.field).toBe("value");
    await expect(
      provisioner.putSecret({ name: "apps/max", value: Buffer.alloc(64 * 1024, 1) }),
    ).resolves.toBeDefined();
  });
});

describe("secrets service start-up", () => {
  it("config - without a KEK the configuration is refused, naming the variable", () => {
    const load = () => secretsTestConfig(env.database.url, {});
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/SECRETS_KEK: required/);
  });

  it("start - a malformed KEK makes start() reject with a message naming SECRETS_KEK", async () => {
    const started = startSecrets({
      databaseUrl: env.database.url,
      keys: env.keys,
      env: { SECRETS_KEK: "dG9vIHNob3J0" },
    });
    await expect(started).rejects.toThrow(/SECRETS_KEK: must be the base64 encoding of exactly 32 bytes/);
  });

  it("start - keeps existing secrets readable across a restart with the same KEK", async () => {
    const kek = newKek();
    const first = await startSecrets({
      databaseUrl: env.database.url,
      keys: env.keys,
      env: { SECRETS_KEK: kek },
    });
    await first.clientAs("provisioner").putSecret({ name: "apps/restart/x", value: Buffer.from("kept") });
    await first.stop();
    const second = await startSecrets({
      databaseUrl: env.database.url,
      keys: env.keys,
      env: { SECRETS_KEK: kek },
    });
    try {
      expect(
        (await second.clientAs("provisioner").getSecret({ name: "apps/restart/x" })).value.toString(),
      ).toBe("kept");
    } finally {
      await second.stop();
    }
  });
});
