import { createDatabase } from "@proximity/db";
import { PermissionDeniedError, ValidationError } from "@proximity/errors";
import { ServiceIdentities } from "@proximity/grpc";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SecretsDatabase } from "../src/db/database.js";
import { secretsTestEnvironment, startSecrets } from "./fixture.js";

let env: Awaited<ReturnType<typeof secretsTestEnvironment>>;
let secrets: Awaited<ReturnType<typeof startSecrets>>;
let db: Kysely<SecretsDatabase>;

beforeAll(async () => {
  env = await secretsTestEnvironment();
  secrets = await startSecrets({ databaseUrl: env.database.url, keys: env.keys });
  db = createDatabase<SecretsDatabase>({ url: env.database.url, schema: "secrets" });
});

afterAll(async () => {
  await db?.destroy();
  await secrets?.stop();
  await env?.database.drop();
});

const adminAudit = () =>
  db
    .selectFrom("access_audit")
    .select(["caller", "action", "allowed"])
    .where("secret_name", "=", "*")
    .orderBy("id")
    .execute();

describe("SecretsAdminService", () => {
  it("admin - every caller but sre is PERMISSION_DENIED, and every attempt is audited", async () => {
    const others = ServiceIdentities.filter((id) => id !== "sre");
    for (const caller of others) {
      const admin = secrets.adminAs(caller);
      await expect(admin.rewrapDataKeys({ batchSize: 0, maxBatches: 0 })).rejects.toBeInstanceOf(
        PermissionDeniedError,
      );
      await expect(admin.getKeyUsage({})).rejects.toBeInstanceOf(PermissionDeniedError);
    }
    const sre = secrets.adminAs("sre");
    await expect(sre.getKeyUsage({})).resolves.toEqual({
      currentKeyId: "k1",
      usage: [{ keyId: "k1", versions: 0 }],
    });
    await expect(sre.rewrapDataKeys({ batchSize: 0, maxBatches: 0 })).resolves.toEqual({
      currentKeyId: "k1",
      rewrapped: 0,
      remaining: 0,
    });
    expect(await adminAudit()).toEqual([
      ...others.flatMap((caller) => [
        { caller, action: "rewrap", allowed: false },
        { caller, action: "key-usage", allowed: false },
      ]),
      { caller: "sre", action: "key-usage", allowed: true },
      { caller: "sre", action: "rewrap", allowed: true },
    ]);
  });

  it("admin - a batch size out of range is INVALID_ARGUMENT naming the field", async () => {
    const err = await secrets
      .adminAs("sre")
      .rewrapDataKeys({ batchSize: 100_000, maxBatches: 0 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).fieldErrors[0]?.field).toBe("batch_size");
  });
});
