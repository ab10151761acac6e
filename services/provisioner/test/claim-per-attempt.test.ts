/**
 * Claims fence attempts, not processes: when an attempt's claim lapses (a database outage longer
 * than the claim's TTL) and a redelivery to the same process claims the operation again, the first
 * attempt writes nothing more (journal, result, release), and the second one carries on.
 */
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { MessageContext } from "@proximity/bus";
import { createDatabase, migrateToLatest } from "@proximity/db";
import { createLogger } from "@proximity/logger";
import { createTestDatabase } from "@proximity/testing";
import { type Kysely, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Attempt, OperationDeps, OperationRequest } from "../src/app/operations/context.js";
import { OwnershipLostError } from "../src/app/operations/errors.js";
import { createProgressBatcher } from "../src/app/operations/progress-reporter.js";
import {
  completeOperation,
  failOperation,
  type OperationSpec,
  runOperation,
} from "../src/app/operations/run-operation.js";
import type { ProvisionerDatabase } from "../src/db/database.js";
import { provisionerMigrations } from "../src/db/migrations/index.js";
import { findOperation } from "../src/db/operation.repository.js";
import { findSteps } from "../src/db/operation-step.repository.js";

const SCHEMA = "provisioner";
const log = createLogger({ service: "test", level: "silent" });
let db: Kysely<ProvisionerDatabase>;
let drop: () => Promise<void>;

beforeAll(async () => {
  const testDb = await createTestDatabase();
  drop = testDb.drop;
  db = createDatabase<ProvisionerDatabase>({ url: testDb.url, schema: SCHEMA });
  await migrateToLatest(db, { schema: SCHEMA, migrations: provisionerMigrations });
});

afterAll(async () => {
  await db?.destroy();
  await drop?.();
});

/**
 * One provisioner process (worker id "worker-1", claims of `claimTtlMs`, renewed every third of it)
 * and a new operation's request.
 */
function oneProcess(claimTtlMs: number) {
  const progress = createProgressBatcher({ db, batchMs: 5, log });
  const deps = {
    db,
    workerId: "worker-1",
    settings: { claimTtlMs, leaseTtlMs: 60_000 },
    progress,
    logger: log,
  } as unknown as OperationDeps;
  const ctx = { log, traceparent: "" } as unknown as MessageContext;
  const request: OperationRequest = {
    operationId: randomUUID(),
    appId: randomUUID(),
    hostId: "h",
    node: "pve1",
  };
  return { deps, ctx, request, progress };
}

/** A promise with its resolve, to hold an attempt inside its steps. */
function gate<T = void>() {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

describe("claims per attempt", () => {
  it("claim per attempt - an attempt whose lapsed claim its own process took again writes nothing more; the new attempt finishes", async () => {
    // One process: both deliveries share its worker id. Renewals every 20 s: none in this test.
    const { deps, ctx, request, progress } = oneProcess(60_000);
    const started = [gate<Attempt>(), gate<Attempt>()];
    const proceed = [gate(), gate()];
    const spec: OperationSpec<OperationRequest> = {
      kind: "deploy",
      async run(a) {
        const i = a.attempt - 1;
        started[i]?.open(a);
        await proceed[i]?.promise;
        await a.journal.begin("install-docker", `attempt ${a.attempt}`);
        a.journal.done("install-docker");
        await completeOperation(a, {
          vmid: 100 + a.attempt,
          ipAddress: "",
          containerStatus: "running",
          message: "ok",
        });
      },
    };

    const first = runOperation(deps, spec, request, ctx);
    const a1 = await started[0]!.promise;
    // The first attempt's claim lapses (its renewals could not reach the database meanwhile).
    await db
      .updateTable("operations")
      .set({ claimed_until: new Date(Date.now() - 1_000) })
      .where("id", "=", request.operationId)
      .execute();
    const second = runOperation(deps, spec, request, ctx);
    const a2 = await started[1]!.promise;
    expect(a2.attempt).toBe(2);
    expect(a2.claim).not.toBe(a1.claim);
    expect(a2.claim.startsWith("worker-1/")).toBe(true);

    // The first attempt wakes up, both attempts in the same process: its writes are refused.
    proceed[0]!.open();
    await expect(first).rejects.toBeInstanceOf(OwnershipLostError);
    expect((await findSteps(db, request.operationId)).map((s) => s.detail)).toEqual([]);
    // Ending the first attempt released no claim but its own: the second still holds the operation.
    expect(await findOperation(db, request.operationId)).toMatchObject({
      status: "running",
      claimed_by: a2.claim,
    });

    proceed[1]!.open();
    await second;
    expect(a2.journal.waiting()).toEqual([]); // its last step done went with the result
    expect(await findOperation(db, request.operationId)).toMatchObject({
      status: "succeeded",
      claimed_by: null,
    });
    expect((await findSteps(db, request.operationId)).map((s) => [s.status, s.detail])).toEqual([
      ["done", "attempt 2"],
    ]);
    const results = await db.selectFrom("outbox").select("type").execute();
    expect(results.filter((r) => r.type.endsWith("OperationSucceeded"))).toHaveLength(1);
    await progress.close();
  });

  it("claim per attempt - renewals are the attempt's: the earlier attempt does not renew its process's next claim, and stops", async () => {
    // Renewals every 100 ms.
    const { deps, ctx, request, progress } = oneProcess(300);
    const started = gate<Attempt>();
    const spec: OperationSpec<OperationRequest> = {
      kind: "deploy",
      async run(a) {
        started.open(a);
        // A long Proxmox step: only a lost claim (the attempt's signal) ends it.
        await new Promise((_, reject) => a.signal.addEventListener("abort", () => reject(a.signal.reason)));
      },
    };
    const first = runOperation(deps, spec, request, ctx);
    const a1 = await started.promise;
    // The process's next claim, as claimOperation writes it once the first one lapsed.
    const next = {
      claimed_by: "worker-1/next-claim",
      claimed_until: new Date(Date.now() + 3_600_000),
      attempts: 2,
    };
    await db.updateTable("operations").set(next).where("id", "=", request.operationId).execute();
    await expect(first).rejects.toBeInstanceOf(OwnershipLostError);
    expect(a1.signal.reason).toBeInstanceOf(OwnershipLostError);
    // Neither renewed nor released by the earlier attempt.
    expect(await findOperation(db, request.operationId)).toMatchObject({ status: "running", ...next });
    await progress.close();
  });

  it("claim per attempt - the last attempt's cleanup renews its claim while it runs", async () => {
    const { deps, ctx, request, progress } = oneProcess(300);
    // As the last attempt left it: running, its claim released.
    await db
      .insertInto("operations")
      .values({
        id: request.operationId,
        kind: "deploy",
        app_id: request.appId,
        host_id: "h",
        node: "pve1",
        status: "running",
        attempts: 3,
      })
      .execute();
    let claimHeld: boolean | undefined;
    const spec: OperationSpec<OperationRequest> = {
      kind: "deploy",
      run: async () => undefined,
      async cleanup() {
        await sleep(1_000); // more than three claim TTLs, as destroying a container on a real host can
        const { rows } = await sql<{ held: boolean }>`
          select claimed_until > now() as held from operations where id = ${request.operationId}`.execute(db);
        claimHeld = rows[0]?.held;
        return "stopped";
      },
    };
    await failOperation(deps, spec, request, ctx, new Error("the last attempt failed"));
    expect(claimHeld).toBe(true);
    expect(await findOperation(db, request.operationId)).toMatchObject({
      status: "failed",
      claimed_by: null,
    });
    await progress.close();
  });
});
