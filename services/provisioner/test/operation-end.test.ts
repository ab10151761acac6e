/**
 * An attempt ends its operation in one statement: its last step done, the final status and the
 * result event, all or nothing, and nothing at all once its claim is lost.
 */
import { randomUUID } from "node:crypto";
import { Events } from "@proximity/bus";
import { createDatabase, migrateToLatest } from "@proximity/db";
import { createTestDatabase, statementCounter } from "@proximity/testing";
import type { Kysely } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ProvisionerDatabase } from "../src/db/database.js";
import { provisionerMigrations } from "../src/db/migrations/index.js";
import {
  findOperation,
  finishOperationWithResult,
  setOperationVmid,
} from "../src/db/operation.repository.js";
import { findSteps } from "../src/db/operation-step.repository.js";
import { succeededEvent } from "../src/events/publish.js";

const SCHEMA = "provisioner";
const CLAIM = "worker-1/attempt-claim";
let base: Kysely<ProvisionerDatabase>;
/** Statements sent through `db`. */
const counter = statementCounter();
let db: Kysely<ProvisionerDatabase>;
let drop: () => Promise<void>;
let url = "";
let operationId = "";

beforeAll(async () => {
  const testDb = await createTestDatabase();
  drop = testDb.drop;
  url = testDb.url;
  base = createDatabase<ProvisionerDatabase>({ url: testDb.url, schema: SCHEMA });
  await migrateToLatest(base, { schema: SCHEMA, migrations: provisionerMigrations });
  db = base.withPlugin(counter.plugin);
});

afterAll(async () => {
  await base?.destroy();
  await drop?.();
});

beforeEach(async () => {
  operationId = randomUUID();
  await base
    .insertInto("operations")
    .values({
      id: operationId,
      kind: "deploy",
      app_id: "app",
      host_id: "h",
      node: "pve1",
      status: "running",
      claimed_by: CLAIM,
      claimed_until: new Date(Date.now() + 60_000),
    })
    .execute();
  await base
    .insertInto("operation_steps")
    .values({ operation_id: operationId, name: "verify-app", status: "running" })
    .execute();
  counter.sent = 0;
});

const end = (claim: string, vmid?: number) =>
  finishOperationWithResult(
    db,
    {
      operationId,
      claim,
      status: "succeeded",
      lastError: null,
      steps: [{ name: "verify-app", status: "done", detail: "10.0.0.5" }],
      vmid,
    },
    succeededEvent(
      { operationId, kind: 1, appId: "app", traceparent: "" },
      {
        hostId: "h",
        node: "pve1",
        vmid: 101,
        ipAddress: "10.0.0.5",
        containerStatus: "running",
        message: "deployed",
      },
    ),
  );
/** Listens to the outbox's commit notifications (the relay publishes on them); `next` is the first. */
async function outboxNotification(): Promise<{ next: Promise<string> }> {
  const listener = new pg.Client({ connectionString: url });
  await listener.connect();
  await listener.query(`listen ${SCHEMA}_outbox`);
  const next = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no outbox notification")), 2_000);
    listener.on("notification", (n) => {
      clearTimeout(timer);
      resolve(n.channel);
    });
  }).finally(() => listener.end());
  return { next };
}

const steps = async () => (await findSteps(base, operationId)).map((s) => [s.name, s.status, s.detail]);
const results = async () =>
  (await base.selectFrom("outbox").select(["type", "payload"]).execute())
    .filter((r) => r.type === Events.OperationSucceeded.type)
    .map((r) => Events.OperationSucceeded.codec.decode(r.payload))
    .filter((e) => e.operationId === operationId);

describe("ending an operation", () => {
  it("operation end - the last step done, the final status and the result event in one statement", async () => {
    const notified = await outboxNotification();
    expect(await end(CLAIM, 101)).toBe(true);
    await expect(notified.next).resolves.toBe(`${SCHEMA}_outbox`);
    expect(counter.sent).toBe(1);
    expect(await findOperation(base, operationId)).toMatchObject({
      vmid: 101,
      status: "succeeded",
      claimed_by: null,
      claimed_until: null,
    });
    expect(await steps()).toEqual([["verify-app", "done", "10.0.0.5"]]);
    expect((await results()).map((e) => [e.vmid, e.ipAddress])).toEqual([[101, "10.0.0.5"]]);
  });

  it("operation end - an attempt whose claim another took writes nothing: no step, no status, no event", async () => {
    await base
      .updateTable("operations")
      .set({ claimed_by: "worker-1/next-claim" })
      .where("id", "=", operationId)
      .execute();
    expect(await end(CLAIM, 101)).toBe(false);
    expect(await findOperation(base, operationId)).toMatchObject({
      vmid: null,
      status: "running",
      claimed_by: "worker-1/next-claim",
    });
    expect(await steps()).toEqual([["verify-app", "running", null]]);
    expect(await results()).toEqual([]);
  });

  it("operation end - a VMID choice waiting replaces the one recorded", async () => {
    await base.updateTable("operations").set({ vmid: 107 }).where("id", "=", operationId).execute();
    expect(await end(CLAIM, 101)).toBe(true);
    expect(await findOperation(base, operationId)).toMatchObject({ vmid: 101, status: "succeeded" });
  });

  it("operation end - no VMID choice waiting keeps the one recorded", async () => {
    await base.updateTable("operations").set({ vmid: 107 }).where("id", "=", operationId).execute();
    expect(await end(CLAIM)).toBe(true);
    expect(await findOperation(base, operationId)).toMatchObject({ vmid: 107, status: "succeeded" });
  });

  it("operation end - an operation ended already is not ended again (no second event)", async () => {
    expect(await end(CLAIM)).toBe(true);
    // The same claim again (a retried write whose answer was lost): the operation runs no more.
    await base.updateTable("operations").set({ claimed_by: CLAIM }).where("id", "=", operationId).execute();
    expect(await end(CLAIM)).toBe(false);
    expect(await results()).toHaveLength(1);
  });

  it("operation vmid - an abandoned VMID is forgotten only under the attempt's claim", async () => {
    await base.updateTable("operations").set({ vmid: 107 }).where("id", "=", operationId).execute();
    expect(await setOperationVmid(db, operationId, "worker-1/next-claim", null)).toBe(false);
    expect((await findOperation(base, operationId))?.vmid).toBe(107);
    expect(await setOperationVmid(db, operationId, CLAIM, null)).toBe(true);
    expect((await findOperation(base, operationId))?.vmid).toBeNull();
  });
});
