/** The step journal of an attempt: a step's done goes with the attempt's next journal write. */
import { setTimeout as sleep } from "node:timers/promises";
import { createDatabase, migrateToLatest } from "@proximity/db";
import { DeadlineExceededError, ValidationError } from "@proximity/errors";
import { createLogger } from "@proximity/logger";
import { TaskFailedError } from "@proximity/proxmox";
import { createTestDatabase, eventually, statementCounter } from "@proximity/testing";
import { type Kysely, sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Attempt, HostConnection } from "../src/app/operations/context.js";
import { OwnershipLostError } from "../src/app/operations/errors.js";
import { runJournaledStep } from "../src/app/operations/journal-step.js";
import { runProxmoxTask } from "../src/app/operations/proxmox-task.js";
import { createStepJournal } from "../src/app/operations/step-journal.js";
import type { ProvisionerDatabase } from "../src/db/database.js";
import { provisionerMigrations } from "../src/db/migrations/index.js";
import { findOperation } from "../src/db/operation.repository.js";
import { findSteps, saveStepUpid } from "../src/db/operation-step.repository.js";

const SCHEMA = "provisioner";
const WORKER = "worker-1";
let base: Kysely<ProvisionerDatabase>;
let drop: () => Promise<void>;
let url = "";
/** Statements sent through `db`; it can fail the next one before it is sent. */
const counter = statementCounter();
let db: Kysely<ProvisionerDatabase>;
let operationId = "";
let seq = 0;

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
  operationId = `op-${++seq}`;
  await base
    .insertInto("operations")
    .values({
      id: operationId,
      kind: "deploy",
      app_id: "app",
      host_id: "h",
      node: "pve1",
      status: "running",
      claimed_by: WORKER,
    })
    .execute();
  counter.sent = 0;
});

const journalOf = (worker = WORKER) => createStepJournal(db, operationId, worker);
/** A first attempt of WORKER on the operation: what journaled steps and Proxmox tasks use of one. */
const attemptOf = (deps: Record<string, unknown> = {}) =>
  ({
    deps: { db, ...deps },
    request: { operationId },
    attempt: 1,
    claim: WORKER,
    log: createLogger({ service: "test", level: "silent" }),
    signal: new AbortController().signal,
    progress: { report: () => undefined },
    journal: journalOf(),
  }) as unknown as Attempt;
const steps = async () => (await findSteps(base, operationId)).map((s) => [s.name, s.status, s.detail]);

describe("step journal", () => {
  it("step journal - a step's done is written with the next step's running (one statement), and steps are listed in the order they began", async () => {
    const journal = journalOf();
    await journal.begin("allocate-vmid");
    journal.done("allocate-vmid", "101");
    expect(await steps()).toEqual([["allocate-vmid", "running", null]]);
    await journal.begin("create-container");
    expect(counter.sent).toBe(2);
    expect(await steps()).toEqual([
      ["allocate-vmid", "done", "101"],
      ["create-container", "running", null],
    ]);
    // One statement: the same updated_at, so only started_at tells their order.
    const rows = await findSteps(base, operationId);
    expect(rows[0]?.updated_at.getTime()).toBe(rows[1]?.updated_at.getTime());

    journal.done("create-container");
    await journal.flush();
    await journal.flush(); // nothing waits any more
    expect(counter.sent).toBe(3);
    expect(journal.waiting()).toEqual([]);
    expect(await steps()).toEqual([
      ["allocate-vmid", "done", "101"],
      ["create-container", "done", null],
    ]);
  });

  it("step journal - a VMID choice goes with the next write, in its statement and under its claim", async () => {
    const journal = journalOf();
    await journal.begin("allocate-vmid");
    journal.done("allocate-vmid", "101");
    journal.chooseVmid(101);
    expect((await findOperation(base, operationId))?.vmid).toBeNull();
    counter.sent = 0;
    await journal.begin("create-container");
    expect(counter.sent).toBe(1);
    expect((await findOperation(base, operationId))?.vmid).toBe(101);
    const written = [
      ["allocate-vmid", "done", "101"],
      ["create-container", "running", null],
    ];
    expect(await steps()).toEqual(written);
    // Chosen again, then the claim is another attempt's: neither the choice nor the step is written.
    journal.chooseVmid(102);
    await base
      .updateTable("operations")
      .set({ claimed_by: "worker-2" })
      .where("id", "=", operationId)
      .execute();
    await expect(journal.begin("start-container")).rejects.toBeInstanceOf(OwnershipLostError);
    expect((await findOperation(base, operationId))?.vmid).toBe(101);
    expect(await steps()).toEqual(written);
  });

  it("step journal - a VMID choice waiting is forgotten with the steps of an abandoned VMID", async () => {
    const journal = journalOf();
    await journal.begin("allocate-vmid");
    journal.done("allocate-vmid", "101");
    journal.chooseVmid(101);
    await journal.forget(["allocate-vmid", "create-container"], db);
    await journal.flush();
    expect((await findOperation(base, operationId))?.vmid).toBeNull();
    journal.chooseVmid(103);
    await journal.flush(); // a choice alone is written too
    expect((await findOperation(base, operationId))?.vmid).toBe(103);
  });

  it("step journal - a VMID choice whose write failed still waits, and goes with the next one", async () => {
    const journal = journalOf();
    await journal.begin("allocate-vmid");
    journal.done("allocate-vmid", "104");
    journal.chooseVmid(104);
    counter.failNext = true;
    await expect(journal.begin("create-container")).rejects.toThrow("database unavailable");
    expect((await findOperation(base, operationId))?.vmid).toBeNull();
    expect(journal.forResult().vmid).toBe(104);
    await journal.flush(); // a failed attempt's end
    expect((await findOperation(base, operationId))?.vmid).toBe(104);
    expect(await steps()).toEqual([["allocate-vmid", "done", "104"]]);
    expect(journal.forResult().vmid).toBeUndefined();
  });

  it("step journal - a VMID choice is written only while the operation runs, even under the same claim", async () => {
    const journal = journalOf();
    journal.chooseVmid(105);
    await base.updateTable("operations").set({ status: "failed" }).where("id", "=", operationId).execute();
    await expect(journal.flush()).rejects.toBeInstanceOf(OwnershipLostError);
    expect((await findOperation(base, operationId))?.vmid).toBeNull();
  });

  it("step journal - every step done meanwhile goes with the next write", async () => {
    const journal = journalOf();
    await journal.begin("delete-snapshot");
    journal.done("delete-snapshot");
    journal.done("rollback"); // begun earlier, done right after
    expect(journal.waiting()).toEqual(["delete-snapshot", "rollback"]);
    await journal.flush();
    expect(await steps()).toEqual([
      ["delete-snapshot", "done", null],
      ["rollback", "done", null],
    ]);
  });

  it("step journal - a write that fails leaves the done waiting for the next one", async () => {
    const journal = journalOf();
    await journal.begin("start-container");
    journal.done("start-container");
    counter.failNext = true;
    await expect(journal.begin("install-docker")).rejects.toThrow("database unavailable");
    expect(await steps()).toEqual([["start-container", "running", null]]);
    await journal.flush();
    expect(await steps()).toEqual([["start-container", "done", null]]);
  });

  it("step journal - dones handed to a result's statement still wait until it is written", async () => {
    const journal = journalOf();
    await journal.begin("verify-app");
    journal.done("verify-app", "10.0.0.5");
    const failed = journal.forResult();
    expect(failed.steps).toEqual([{ name: "verify-app", status: "done", detail: "10.0.0.5" }]);
    // That statement failed (written() never called): the done still waits.
    expect(journal.waiting()).toEqual(["verify-app"]);
    const committed = journal.forResult();
    committed.written();
    expect(journal.waiting()).toEqual([]);
    expect(journal.forResult().steps).toEqual([]);
  });

  it("step journal - a worker without the claim writes nothing", async () => {
    const mine = journalOf();
    await mine.begin("install-docker");
    mine.done("install-docker");
    // Another worker took the operation over (the claim expired).
    await base
      .updateTable("operations")
      .set({ claimed_by: "worker-2" })
      .where("id", "=", operationId)
      .execute();
    await expect(mine.begin("write-app-files")).rejects.toBeInstanceOf(OwnershipLostError);
    await expect(mine.flush()).rejects.toBeInstanceOf(OwnershipLostError);
    expect(await steps()).toEqual([["install-docker", "running", null]]);
    const theirs = journalOf("worker-2");
    await theirs.failed("install-docker");
    expect(await steps()).toEqual([["install-docker", "failed", null]]);
  });

  it("step journal - a takeover committing while a write of the old holder waits: that write is refused", async () => {
    const other = new pg.Client({ connectionString: url, options: `-c search_path=${SCHEMA}` });
    await other.connect();
    try {
      await other.query("begin");
      // Another worker's claim (claimOperation's update), not committed yet.
      await other.query(
        "update operations set claimed_by = 'worker-2', attempts = attempts + 1 where id = $1",
        [operationId],
      );
      const stale = journalOf().begin("install-docker");
      await sleep(300); // the stale write waits on the operation's row
      await other.query("commit");
      await expect(stale).rejects.toBeInstanceOf(OwnershipLostError);
      expect(await steps()).toEqual([]);
    } finally {
      await other.end();
    }
  });

  it("step journal - a takeover committing while the old holder's UPID write waits: that write is refused", async () => {
    await journalOf().begin("start-container");
    expect(await saveStepUpid(db, operationId, WORKER, "start-container", "UPID:ours")).toBe(true);
    const other = new pg.Client({ connectionString: url, options: `-c search_path=${SCHEMA}` });
    await other.connect();
    try {
      await other.query("begin");
      await other.query("update operations set claimed_by = 'worker-2' where id = $1", [operationId]);
      const stale = saveStepUpid(db, operationId, WORKER, "start-container", null);
      // The stale write waits on the operation's row (its claim read for share), not on a timer.
      await eventually(
        async () => {
          const { rows } = await base.executeQuery<{ waiting: string }>(
            sql`select count(*) as waiting from pg_stat_activity
              where datname = current_database() and wait_event_type = 'Lock'`.compile(base),
          );
          return Number(rows[0]?.waiting) > 0;
        },
        { timeoutMs: 5_000, what: "the UPID write waiting on the operation's row" },
      );
      await other.query("commit");
      expect(await stale).toBe(false);
      expect((await findSteps(base, operationId))[0]?.upid).toBe("UPID:ours");
    } finally {
      await other.end();
    }
  });

  it("step journal - a step failing after its worker lost the claim: the loss is reported, not the failure", async () => {
    const attempt = attemptOf();
    const failing = runJournaledStep(attempt, "install-docker", "Installing Docker", async () => {
      // Meanwhile the claim expired and another worker took the operation over.
      await base
        .updateTable("operations")
        .set({ claimed_by: "worker-2" })
        .where("id", "=", operationId)
        .execute();
      throw new Error("the command failed");
    });
    await expect(failing).rejects.toBeInstanceOf(OwnershipLostError);
    expect(await steps()).toEqual([["install-docker", "running", null]]); // the new holder's to decide
  });

  it("step journal - forgotten steps take their waiting done with them; a step begun again replaces it", async () => {
    const journal = journalOf();
    await journal.begin("allocate-vmid");
    journal.done("allocate-vmid", "101");
    await journal.forget(["allocate-vmid", "create-container"], db);
    await journal.flush();
    expect(await steps()).toEqual([]);

    await journal.begin("allocate-vmid");
    journal.done("allocate-vmid", "102");
    await journal.begin("allocate-vmid"); // chosen again (the VMID was abandoned): running, once
    expect(await steps()).toEqual([["allocate-vmid", "running", null]]);
    expect(journal.waiting()).toEqual([]);
    journal.done("allocate-vmid", "103");
    await journal.failed("create-container");
    expect(await steps()).toEqual([
      ["allocate-vmid", "done", "103"],
      ["create-container", "failed", null],
    ]);
  });

  it("step journal - a step run again by a later attempt keeps its place in the list", async () => {
    const first = journalOf();
    await first.begin("create-container");
    first.done("create-container");
    await first.begin("start-container");
    await first.failed("start-container");
    const retry = journalOf();
    await retry.begin("create-container"); // e.g. its task is polled again
    retry.done("create-container");
    await retry.begin("start-container");
    expect(await steps()).toEqual([
      ["create-container", "done", null],
      ["start-container", "running", null],
    ]);
    await retry.begin("create-container");
    expect((await steps()).map(([name]) => name)).toEqual(["create-container", "start-container"]);
  });

  it("step journal - steps first journaled by one statement begin in its order, not at one instant", async () => {
    const journal = journalOf();
    // Done without a running of its own (a step that journals none), then the next step's running.
    journal.done("zz-first", "1");
    await journal.begin("aa-second");
    expect(counter.sent).toBe(1);
    const { rows } = await sql<{ name: string; began: string }>`
      select name, started_at::text as began from operation_steps
      where operation_id = ${operationId} order by started_at`.execute(base);
    expect(rows.map((r) => r.name)).toEqual(["zz-first", "aa-second"]);
    expect(rows[0]?.began).not.toBe(rows[1]?.began); // no tie for the listing to break at random
    expect((await steps()).map(([name]) => name)).toEqual(["zz-first", "aa-second"]);
  });

  it("step journal - a step that journals no running writes nothing before its work, and its done with the next write", async () => {
    const attempt = attemptOf();
    let sentBeforeWork = -1;
    const detail = await runJournaledStep(
      attempt,
      "allocate-vmid",
      "Reserving a container ID",
      async () => {
        sentBeforeWork = counter.sent;
        return "101";
      },
      { journalRunning: false },
    );
    expect(detail).toBe("101");
    expect(sentBeforeWork).toBe(0);
    expect(await steps()).toEqual([]);
    await attempt.journal.begin("create-container");
    expect(await steps()).toEqual([
      ["allocate-vmid", "done", "101"],
      ["create-container", "running", null],
    ]);
  });

  it("step journal - a task's UPID: replaced and cleared only under the attempt's claim; a late one fills an empty slot", async () => {
    await journalOf().begin("create-container");
    const upid = async () => (await findSteps(base, operationId))[0]?.upid ?? null;
    expect(await saveStepUpid(db, operationId, WORKER, "create-container", "UPID:one")).toBe(true);
    expect(await upid()).toBe("UPID:one");
    // A worker without the claim (it lapsed and another took the operation) replaces nothing…
    expect(await saveStepUpid(db, operationId, "worker-2", "create-container", "UPID:stale")).toBe(false);
    expect(await saveStepUpid(db, operationId, "worker-2", "create-container", null)).toBe(false);
    expect(await upid()).toBe("UPID:one");
    expect(await saveStepUpid(db, operationId, WORKER, "create-container", null)).toBe(true);
    expect(await upid()).toBeNull();
    // …but its task, recorded late, fills an empty slot: the holder polls it instead of starting another.
    expect(await saveStepUpid(db, operationId, "worker-2", "create-container", "UPID:late")).toBe(false);
    expect(await upid()).toBe("UPID:late");
    // Nor does the claim's holder change anything once the operation has finished.
    await base.updateTable("operations").set({ status: "succeeded" }).where("id", "=", operationId).execute();
    expect(await saveStepUpid(db, operationId, WORKER, "create-container", null)).toBe(false);
    expect(await upid()).toBe("UPID:late");
  });

  /** An attempt of WORKER with a fake connection whose wait for the task runs `wait`. */
  const taskAttempt = (wait: () => Promise<unknown>) => ({
    attempt: attemptOf({ settings: { taskTimeoutMs: 1_000, taskPollIntervalMs: 10 } }),
    connection: { pve: { waitForTask: wait } } as unknown as HostConnection,
  });
  const failedTask = () =>
    new TaskFailedError({ upid: "UPID:x", type: "vzstart", exitstatus: "boom", logTail: [] });
  const takeOver = (upid: string | null) =>
    Promise.all([
      base.updateTable("operations").set({ claimed_by: "worker-2" }).where("id", "=", operationId).execute(),
      base.updateTable("operation_steps").set({ upid }).where("operation_id", "=", operationId).execute(),
    ]);

  it("step journal - a task whose attempt lost the claim before its UPID was written: the loss is reported", async () => {
    await journalOf().begin("start-container");
    await base
      .updateTable("operations")
      .set({ claimed_by: "worker-2" })
      .where("id", "=", operationId)
      .execute();
    for (const outcome of ["stopped", "failed", "timed out"] as const) {
      const { attempt, connection } = taskAttempt(async () => {
        if (outcome === "failed") throw failedTask();
        if (outcome === "timed out")
          throw new DeadlineExceededError("Timed out waiting for the Proxmox task");
        return { status: "stopped", exitstatus: "OK" };
      });
      const run = runProxmoxTask(attempt, connection, "start-container", undefined, async () => "UPID:x");
      await expect(run).rejects.toBeInstanceOf(OwnershipLostError);
    }
  });

  it("step journal - a task failing after its attempt lost the claim: the new holder's UPID is not cleared", async () => {
    await journalOf().begin("start-container");
    const { attempt, connection } = taskAttempt(async () => {
      // The UPID landed; then the claim lapsed, and the new holder started a task of its own.
      await eventually(async () => (await findSteps(base, operationId))[0]?.upid === "UPID:x", {
        timeoutMs: 5_000,
      });
      await takeOver("UPID:theirs");
      throw failedTask();
    });
    const run = runProxmoxTask(attempt, connection, "start-container", undefined, async () => "UPID:x");
    await expect(run).rejects.toBeInstanceOf(OwnershipLostError);
    expect((await findSteps(base, operationId))[0]?.upid).toBe("UPID:theirs");
  });

  it("step journal - a resumed task the host no longer knows, after the attempt lost the claim: nothing cleared", async () => {
    await journalOf().begin("start-container");
    await takeOver("UPID:theirs");
    const { attempt, connection } = taskAttempt(async () => {
      throw new ValidationError("no such task");
    });
    const previous = (await findSteps(base, operationId))[0];
    const run = runProxmoxTask(attempt, connection, "start-container", previous, async () => "UPID:new");
    await expect(run).rejects.toBeInstanceOf(OwnershipLostError);
    expect((await findSteps(base, operationId))[0]?.upid).toBe("UPID:theirs");
  });

  it("step journal - rows from before started_at existed are listed by their last change", async () => {
    const journal = journalOf();
    await journal.begin("verify-app");
    await sql`insert into operation_steps (operation_id, name, status, started_at, updated_at)
      values (${operationId}, 'start-app', 'done', null, now() - interval '1 second')`.execute(base);
    expect((await steps()).map(([name]) => name)).toEqual(["start-app", "verify-app"]);
  });

  it("step journal - a detail is kept unless a new one is given", async () => {
    const journal = journalOf();
    await journal.begin("rollback", "the update failed");
    journal.done("rollback");
    await journal.flush();
    expect(await steps()).toEqual([["rollback", "done", "the update failed"]]);
  });
});
