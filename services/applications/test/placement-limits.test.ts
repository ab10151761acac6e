import { ConflictError, PermissionDeniedError, ValidationError } from "@proximity/errors";
import type { EndUser } from "@proximity/grpc";
import { provisionerEventsV1 } from "@proximity/proto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { as, type Harness, newUser, startHarness } from "./support/harness.js";
import { lifeCycle } from "./support/life-cycle.js";

const { OperationKind: Kind } = provisionerEventsV1;
const FIRST_PORT = 31000;
const POOL = 60;

describe("ports, quotas and host retirement", () => {
  let t: Harness;
  let lc: ReturnType<typeof lifeCycle>;
  const admin = newUser(true);

  beforeAll(async () => {
    t = await startHarness({ APP_PORT_RANGE: `${FIRST_PORT}-${FIRST_PORT + POOL - 1}` });
    lc = lifeCycle(t);
  });

  afterAll(async () => {
    await t?.close();
  });

  const allocations = (hostId: string) =>
    t.db.selectFrom("port_allocations").selectAll().where("host_id", "=", hostId).execute();

  it("ports - 50 concurrent deploys get 50 distinct ports; failures give theirs back; an empty pool is a clear 409", async () => {
    const hostId = "ports-host";
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        t.gateway.deployApp(
          {
            catalogId: "whoami",
            hostname: `port-${i}`,
            hostId,
            node: "",
            environment: {},
            idempotencyKey: "",
          },
          as(newUser(true)),
        ),
      ),
    );
    const rejected = results.filter((r) => r.status === "rejected");
    expect(rejected).toEqual([]);
    const apps = results.map(
      (r) => (r as PromiseFulfilledResult<{ app?: { id: string; port: number } }>).value.app!,
    );
    const ports = apps.map((a) => a.port);
    expect(new Set(ports).size).toBe(50);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(FIRST_PORT);
      expect(port).toBeLessThan(FIRST_PORT + POOL);
    }
    expect((await allocations(hostId)).length).toBe(50);
    // Each app row holds the port its allocation holds (what later reads of the app show).
    const rows = await t.db
      .selectFrom("apps")
      .select(["id", "public_port"])
      .where("host_id", "=", hostId)
      .execute();
    const allocated = new Map((await allocations(hostId)).map((a) => [a.app_id, a.port]));
    expect(rows).toHaveLength(50);
    for (const row of rows) expect(row.public_port).toBe(allocated.get(row.id));

    // Half of them fail: their ports return to the pool (no leak).
    const failed = apps.slice(0, 25);
    for (const app of failed) await lc.fail(app.id, { kind: Kind.OPERATION_KIND_DEPLOY, reason: "boom" });
    for (const app of failed) await lc.waitFor(app.id, "error");
    expect((await allocations(hostId)).length).toBe(25);

    // The pool (60) now holds 25: 35 more fit, the next one is refused with a clear message.
    for (let i = 0; i < 35; i++) await lc.deploy(newUser(), `refill-${i}`, { hostId });
    const err = await t.gateway
      .deployApp(
        {
          catalogId: "whoami",
          hostname: "one-too-many",
          hostId,
          node: "",
          environment: {},
          idempotencyKey: "",
        },
        as(newUser(true)),
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as Error).message).toMatch(/^No free port left on this host \(31000-31059 are all in use\)/);
    expect(
      await t.db.selectFrom("apps").select("id").where("hostname", "=", "one-too-many").execute(),
    ).toEqual([]);
    // Another host has a pool of its own.
    expect((await lc.deploy(newUser(), "other-host", { hostId: "ports-host-2" })).port).toBeGreaterThan(0);
  });

  it("quota - of N concurrent deploys over a quota of k exactly k succeed; the rest are 403 and store nothing", async () => {
    const user = newUser();
    await t.gateway.setUserQuota({ userId: user.id, maxApps: 3 }, as(admin));
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => lc.deploy(user, `quota-${i}`, { hostId: "quota-host" })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(3);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(refused).toHaveLength(7);
    for (const r of refused) {
      expect(r.reason).toBeInstanceOf(PermissionDeniedError);
      expect(r.reason.message).toBe("App quota reached (3 apps); ask an administrator to raise it");
    }
    expect(await t.db.selectFrom("apps").select("id").where("owner_id", "=", user.id).execute()).toHaveLength(
      3,
    );
    // The refused ones' ports and log lines went with their transactions (the quota is checked last).
    expect((await allocations("quota-host")).length).toBe(3);
    expect((await t.gateway.getUserQuota({ userId: user.id }, as(admin))).quota).toEqual({
      userId: user.id,
      maxApps: 3,
      used: 3,
      isDefault: false,
    });
  });

  it("quota - the owner's quota row is taken last: a placement waiting for it has already written its app, operation and port", async () => {
    const user = newUser();
    await lc.deploy(user, "quota-order-first"); // the user's quota row exists from here on
    const written = ["apps", "app_operations", "deployment_logs", "outbox"];
    const deployed = await takesQuotaLast(user, () => lc.deploy(user, "quota-order-second"), [
      ...written,
      "port_allocations",
    ]);
    expect((deployed as { hostname: string }).hostname).toBe("quota-order-second");
    const source = await lc.running(user, "quota-order-source");
    await takesQuotaLast(
      user,
      () => t.gateway.cloneApp({ appId: source.id, newHostname: "quota-order-clone" }, as(user)),
      [...written, "port_allocations"],
    );
    await takesQuotaLast(
      user,
      () =>
        t.gateway.adoptApp(
          {
            hostId: "quota-adopt-host",
            node: "pve1",
            vmid: 970,
            catalogId: "",
            hostname: "quota-order-adopted",
            ownerId: user.id,
            port: 8080,
          },
          as(admin),
        ),
      written,
    );
  });

  /**
   * Runs `place` while another transaction holds `user`'s quota row (as a concurrent placement of
   * theirs would), checks that the placement, waiting for that row, has written `tables` already,
   * then lets it finish and returns what it returned.
   */
  async function takesQuotaLast(user: EndUser, place: () => Promise<unknown>, tables: string[]) {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let holding!: () => void;
    const locked = new Promise<void>((resolve) => {
      holding = resolve;
    });
    const holder = t.db.transaction().execute(async (trx) => {
      await trx
        .selectFrom("user_quotas")
        .select("user_id")
        .where("user_id", "=", user.id)
        .forUpdate()
        .execute();
      holding();
      await held;
    });
    await locked;
    const placing = place();
    try {
      const waiter = await waitForQuotaWaiter();
      // Relations the waiting placement has written in its transaction already (RowExclusiveLock).
      const { rows } = await sql<{ relname: string }>`
        select c.relname from pg_locks l join pg_class c on c.oid = l.relation
        where l.pid = ${waiter} and l.mode = 'RowExclusiveLock' and l.granted`.execute(t.db);
      const written = new Set(rows.map((r) => r.relname));
      for (const table of tables) expect(written).toContain(table);
    } finally {
      release();
      await holder;
    }
    return placing;
  }

  /** The backend of a placement waiting for a row lock on user_quotas (polled: it gets there soon). */
  async function waitForQuotaWaiter(): Promise<number> {
    for (let i = 0; i < 500; i++) {
      const { rows } = await sql<{ pid: number }>`
        select pid from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock' and query like '%user_quotas%'`.execute(
        t.db,
      );
      if (rows[0]) return rows[0].pid;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error("no deploy waited for the quota row");
  }

  it("quota - at quota, the quota is the reason whatever else is wrong; a retry of the deploy that took the last slot gets its app", async () => {
    const user = newUser();
    await t.gateway.setUserQuota({ userId: user.id, maxApps: 1 }, as(admin));
    const first = await lc.deploy(user, "quota-first", { idempotencyKey: "quota-key-1" });
    await lc.deploy(newUser(), "quota-taken");
    const quotaError = "App quota reached (1 apps); ask an administrator to raise it";
    // A hostname already taken, a host being removed: the quota is named, not them.
    const taken = await lc.deploy(user, "quota-taken").catch((e: unknown) => e);
    expect(taken).toBeInstanceOf(PermissionDeniedError);
    expect((taken as Error).message).toBe(quotaError);
    await t.clientAs("hosts").retireHost({ hostId: "quota-retired-host" });
    const retired = await lc
      .deploy(user, "quota-other", { hostId: "quota-retired-host" })
      .catch((e: unknown) => e);
    expect(retired).toBeInstanceOf(PermissionDeniedError);
    expect((retired as Error).message).toBe(quotaError);
    // The retry of the first deploy (same idempotency key) is answered with its app.
    const retry = await lc.deploy(user, "quota-first", { idempotencyKey: "quota-key-1" });
    expect(retry.id).toBe(first.id);
    expect((await t.gateway.getUserQuota({ userId: user.id }, as(admin))).quota?.used).toBe(1);
  });

  it("quota - a gone app frees its slot; admins read and set quotas, 0 restores the default", async () => {
    const user = newUser();
    await t.gateway.setUserQuota({ userId: user.id, maxApps: 1 }, as(admin));
    const app = await lc.running(user, "quota-cycle");
    await expect(lc.deploy(user, "quota-cycle-2")).rejects.toBeInstanceOf(PermissionDeniedError);
    await t.gateway.deleteApp({ appId: app.id, destroyContainer: false, deleteBackups: false }, as(user));
    await lc.succeed(app.id, { kind: Kind.OPERATION_KIND_DELETE });
    await lc.waitFor(app.id, "gone");
    expect((await lc.deploy(user, "quota-cycle-2")).hostname).toBe("quota-cycle-2");

    const reset = await t.gateway.setUserQuota({ userId: user.id, maxApps: 0 }, as(admin));
    expect(reset.quota).toEqual({ userId: user.id, maxApps: 25, used: 1, isDefault: true });
    const fresh = newUser();
    expect((await t.gateway.getUserQuota({ userId: fresh.id }, as(admin))).quota).toEqual({
      userId: fresh.id,
      maxApps: 25,
      used: 0,
      isDefault: true,
    });
    await expect(t.gateway.getUserQuota({ userId: user.id }, as(user))).rejects.toBeInstanceOf(
      PermissionDeniedError,
    );
    await expect(t.gateway.setUserQuota({ userId: user.id, maxApps: 99 }, as(user))).rejects.toBeInstanceOf(
      PermissionDeniedError,
    );
    await expect(t.gateway.setUserQuota({ userId: user.id, maxApps: -1 }, as(admin))).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  it("RetireHost - refused while apps are live; then no placement on the host; ReinstateHost reopens it", async () => {
    const hosts = t.clientAs("hosts");
    const busy = await lc.deploy(newUser(), "busy-host-app", { hostId: "busy-host" });
    const err = await hosts.retireHost({ hostId: "busy-host" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as Error).message).toBe("1 app is still live on this host");
    expect(busy.hostId).toBe("busy-host");

    await hosts.retireHost({ hostId: "empty-host" });
    const refused = await lc.deploy(newUser(), "too-late", { hostId: "empty-host" }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ConflictError);
    expect((refused as Error).message).toBe("The host is being removed; choose another host");
    await hosts.reinstateHost({ hostId: "empty-host" });
    expect((await lc.deploy(newUser(), "back-again", { hostId: "empty-host" })).hostId).toBe("empty-host");
    await expect(t.gateway.retireHost({ hostId: "empty-host" })).rejects.toBeInstanceOf(
      PermissionDeniedError,
    );
  });

  it("RetireHost - racing deploys: never an app left on a retired host", async () => {
    const hosts = t.clientAs("hosts");
    for (let round = 0; round < 6; round++) {
      const hostId = `race-host-${round}`;
      const deploys = Array.from({ length: 4 }, (_, i) =>
        lc.deploy(newUser(), `race-${round}-${i}`, { hostId }),
      );
      const retire = hosts.retireHost({ hostId });
      const [retired, ...placed] = await Promise.allSettled([retire, ...deploys]);
      const live = await t.db
        .selectFrom("apps")
        .select("id")
        .where("host_id", "=", hostId)
        .where("status", "<>", "gone")
        .execute();
      const succeeded = placed.filter((r) => r.status === "fulfilled").length;
      expect(live).toHaveLength(succeeded);
      if (retired!.status === "fulfilled") {
        // Retired: every deploy that ran was refused, none slipped in after the count.
        expect(live).toEqual([]);
        for (const r of placed) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
      } else {
        expect((retired as PromiseRejectedResult).reason.message).toMatch(/still live on this host$/);
        expect(live.length).toBeGreaterThan(0);
      }
    }
  });
});
