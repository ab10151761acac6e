/**
 * VmidLeases and keepOwnership against real NATS KV (and PostgreSQL for the claim): each test opens
 * a bucket of its own (`<ns>_vmid_leases` with a fresh namespace), so the tests never see each
 * other's keys.
 */
import { randomUUID } from "node:crypto";
import { type Bus, connectBus } from "@proximity/bus";
import { createDatabase, migrateToLatest } from "@proximity/db";
import { createTestDatabase, eventually, testLogger, testServers, uniqueNamespace } from "@proximity/testing";
import type { Kysely } from "kysely";
import type { KV } from "nats";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Attempt } from "../src/app/operations/context.js";
import { OwnershipLostError } from "../src/app/operations/errors.js";
import { keepOwnership } from "../src/app/operations/keep-ownership.js";
import type { ProvisionerDatabase } from "../src/db/database.js";
import { provisionerMigrations } from "../src/db/migrations/index.js";
import { openVmidLeases, type VmidLeases } from "../src/infra/vmid-leases.js";

const logger = testLogger("vmid-leases");
const HOST = "host-1";
let bus: Bus;
let db: Kysely<ProvisionerDatabase>;
let dropDb: () => Promise<void>;
const buckets: string[] = [];

beforeAll(async () => {
  const { natsUrl } = testServers();
  bus = await connectBus({ servers: natsUrl, name: "vmid-leases-test", ns: uniqueNamespace(), logger });
  const testDb = await createTestDatabase();
  dropDb = testDb.drop;
  db = createDatabase<ProvisionerDatabase>({ url: testDb.url, schema: "provisioner" });
  await migrateToLatest(db, { schema: "provisioner", migrations: provisionerMigrations });
});

afterEach(async () => {
  for (const b of buckets.splice(0)) await bus.jsm.streams.delete(`KV_${b}`).catch(() => undefined);
});

afterAll(async () => {
  await bus?.close();
  await db?.destroy();
  await dropDb?.();
});

/** A private bucket for one test, plus a raw view of it to play "someone else" on the keys. */
async function openBucket(
  ttlMs = 60_000,
  leaderWaitMs = 500,
): Promise<{ leases: VmidLeases; kv: KV; bucket: string }> {
  const ns = uniqueNamespace();
  const bucket = `${ns}_vmid_leases`;
  buckets.push(bucket);
  // A gone bucket answers nobody, like one whose leader is being elected: waited out briefly here.
  const leases = await openVmidLeases(bus.js, ns, ttlMs, { declare: true, leaderWaitMs });
  const kv = await bus.js.views.kv(bucket, { bindOnly: true });
  return { leases, kv, bucket };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("VMID leases", () => {
  it("vmid leases - two operations racing for one VMID: exactly one gets it, the key names the winner", async () => {
    const { leases, kv } = await openBucket();
    const ops = Array.from({ length: 6 }, () => randomUUID());
    const results = await Promise.all(ops.map((op) => leases.acquire(HOST, 100, op)));
    const winners = ops.filter((_, i) => results[i] !== null);
    expect(winners).toHaveLength(1);
    expect(await leases.holder(HOST, 100)).toBe(winners[0]);
    const entry = await kv.get(`${HOST}.100`);
    // The operation, then the nonce of this holding.
    expect(entry?.string()).toMatch(new RegExp(`^${winners[0]} [A-Za-z0-9_-]{12}$`));
    expect(results.find((r) => r !== null)?.revision).toBe(entry?.revision);
    // Another VMID on the same host, and the same VMID on another host, are separate keys.
    expect(await leases.acquire(HOST, 101, ops[0]!)).not.toBeNull();
    expect(await leases.acquire("host-2", 100, ops[0]!)).not.toBeNull();
  });

  it("vmid leases - the same operation re-adopts its lease (a retry); the old handle is fenced off", async () => {
    const { leases } = await openBucket();
    const op = randomUUID();
    const first = await leases.acquire(HOST, 200, op);
    expect(first).not.toBeNull();
    const again = await leases.acquire(HOST, 200, op);
    expect(again).not.toBeNull();
    expect(again!.revision).toBeGreaterThan(first!.revision);
    expect(await leases.holder(HOST, 200)).toBe(op);
    // The re-adoption wrote a new revision: the stale handle can neither renew nor release it.
    await expect(first!.renew()).rejects.toBeInstanceOf(OwnershipLostError);
    await first!.release();
    expect(await leases.holder(HOST, 200)).toBe(op);
    // Someone else still cannot take it.
    expect(await leases.acquire(HOST, 200, randomUUID())).toBeNull();
  });

  it("vmid leases - renew is a compare-and-set: it advances the revision, and fails once the key was rewritten", async () => {
    const { leases, kv } = await openBucket();
    const op = randomUUID();
    const lease = (await leases.acquire(HOST, 300, op))!;
    const r0 = lease.revision;
    await lease.renew();
    expect(lease.revision).toBeGreaterThan(r0);
    expect((await kv.get(`${HOST}.300`))?.revision).toBe(lease.revision);
    expect(await leases.holder(HOST, 300)).toBe(op);

    // A worker paused past the TTL: the key expired and another operation took it.
    const usurper = randomUUID();
    await kv.put(`${HOST}.300`, new TextEncoder().encode(usurper));
    const lost = await lease.renew().catch((err: unknown) => err);
    expect(lost).toBeInstanceOf(OwnershipLostError);
    expect((lost as Error).message).toBe("The lease on VMID 300 was lost"); // safe for logs and events
    // The failed renewal did not overwrite the new holder, nor does the stale release delete it.
    expect(await leases.holder(HOST, 300)).toBe(usurper);
    await lease.release();
    expect(await leases.holder(HOST, 300)).toBe(usurper);
  });

  it("vmid leases - a renewal that landed with its answer lost is recognised by its nonce: the lease is kept, and released", async () => {
    const { leases, kv } = await openBucket();
    const op = randomUUID();
    const lease = (await leases.acquire(HOST, 350, op))!;
    // What a renewal whose reply timed out leaves behind: our own value at a newer revision.
    const mine = (await kv.get(`${HOST}.350`))!;
    const landed = await kv.update(`${HOST}.350`, mine.value, mine.revision);
    expect(lease.revision).toBeLessThan(landed);
    await lease.renew(); // not mistaken for a lost lease
    expect(lease.revision).toBeGreaterThan(landed);
    expect((await kv.get(`${HOST}.350`))?.revision).toBe(lease.revision);
    // The same after another landed renewal, for the release: it deletes our key, not leaves it to the TTL.
    const again = (await kv.get(`${HOST}.350`))!;
    await kv.update(`${HOST}.350`, again.value, again.revision);
    await lease.release();
    expect(await leases.holder(HOST, 350)).toBeNull();

    // The same operation's earlier holding (another nonce) is not ours: fenced off as before.
    const first = (await leases.acquire(HOST, 351, op))!;
    const second = (await leases.acquire(HOST, 351, op))!;
    await expect(first.renew()).rejects.toBeInstanceOf(OwnershipLostError);
    await first.release();
    expect(await leases.holder(HOST, 351)).toBe(op);
    await second.renew();
    await second.release();
    expect(await leases.holder(HOST, 351)).toBeNull();
  });

  it("vmid leases - a key written before the nonce (operation id alone) still names its operation", async () => {
    const { leases, kv } = await openBucket();
    const op = randomUUID();
    await kv.create(`${HOST}.360`, new TextEncoder().encode(op));
    expect(await leases.holder(HOST, 360)).toBe(op);
    expect(await leases.acquire(HOST, 360, randomUUID())).toBeNull();
    const adopted = await leases.acquire(HOST, 360, op);
    expect(adopted).not.toBeNull();
    await adopted!.release();
    expect(await leases.holder(HOST, 360)).toBeNull();
  });

  it("vmid leases - claimCandidate: a VMID another operation of this process tries or holds is skipped", async () => {
    const ttlMs = 2_000; // room for a loaded machine: the renewal below comes at half of it
    const { leases, kv } = await openBucket(ttlMs);
    // Two placements reach the same candidate: the first claims it, the second skips it.
    expect(leases.claimCandidate(HOST, 600)).toBe(true);
    expect(leases.claimCandidate(HOST, 600)).toBe(false);
    expect(leases.claimCandidate("host-2", 600)).toBe(true); // hosts apart
    // The lease taken: still marked while it is renewed, past the TTL.
    const held = (await leases.acquire(HOST, 600, randomUUID()))!;
    await sleep(ttlMs / 2);
    await held.renew();
    await sleep(ttlMs / 2 + 100);
    expect(leases.claimCandidate(HOST, 600)).toBe(false);
    // Released (the container exists, and the host's listing shows it from now on): unmarked.
    await held.release();
    expect(leases.claimCandidate(HOST, 600)).toBe(true);
    // Refused (another replica's operation holds it): marked, not asked for again here meanwhile.
    await kv.create(`${HOST}.601`, new TextEncoder().encode(randomUUID()));
    expect(leases.claimCandidate(HOST, 601)).toBe(true);
    expect(await leases.acquire(HOST, 601, randomUUID())).toBeNull();
    expect(leases.claimCandidate(HOST, 601)).toBe(false);
    // Lost to someone else: unmarked.
    const lost = (await leases.acquire(HOST, 602, randomUUID()))!;
    await kv.put(`${HOST}.602`, new TextEncoder().encode(randomUUID()));
    await expect(lost.renew()).rejects.toBeInstanceOf(OwnershipLostError);
    expect(leases.claimCandidate(HOST, 602)).toBe(true);
    // Left by a failed attempt (not renewed, not released): marked until a TTL after its last write.
    const op = randomUUID();
    await leases.acquire(HOST, 603, op);
    expect(leases.claimCandidate(HOST, 603)).toBe(false);
    await sleep(ttlMs + 100);
    expect(leases.claimCandidate(HOST, 603)).toBe(true);
    // A cleanup releasing it without the handle unmarks it as well.
    const other = randomUUID();
    await leases.acquire(HOST, 604, other);
    await leases.releaseIfHeld(HOST, 604, other);
    expect(leases.claimCandidate(HOST, 604)).toBe(true);
  });

  it("vmid leases - release deletes the key only with the right revision, and only once", async () => {
    const { leases, kv } = await openBucket();
    const op = randomUUID();
    const lease = (await leases.acquire(HOST, 400, op))!;
    await lease.release();
    expect(await leases.holder(HOST, 400)).toBeNull();
    expect((await kv.get(`${HOST}.400`))?.operation).not.toBe("PUT");
    // Freed: another operation takes it; a second release of the old handle leaves it alone.
    const next = randomUUID();
    expect(await leases.acquire(HOST, 400, next)).not.toBeNull();
    await lease.release();
    expect(await leases.holder(HOST, 400)).toBe(next);
    // A renewal of a released handle does nothing (it does not resurrect the old value).
    await lease.renew();
    expect(await leases.holder(HOST, 400)).toBe(next);
  });

  it("vmid leases - releaseIfHeld deletes only the named operation's lease", async () => {
    const { leases } = await openBucket();
    const op = randomUUID();
    await leases.acquire(HOST, 500, op);
    await leases.releaseIfHeld(HOST, 500, randomUUID());
    expect(await leases.holder(HOST, 500)).toBe(op);
    await leases.releaseIfHeld(HOST, 501, op); // never held: no error, nothing created
    expect(await leases.holder(HOST, 501)).toBeNull();
    await leases.releaseIfHeld(HOST, 500, op);
    expect(await leases.holder(HOST, 500)).toBeNull();
    expect(await leases.acquire(HOST, 500, randomUUID())).not.toBeNull();
  });

  it("vmid leases - a NATS failure is an error: never mistaken for lost ownership, a refusal or a release", async () => {
    const { leases, bucket } = await openBucket();
    const op = randomUUID();
    const lease = (await leases.acquire(HOST, 800, op))!;
    await bus.jsm.streams.delete(`KV_${bucket}`); // the bucket is gone: every call fails
    // The NATS error itself, not a TypeError from looking into it.
    const refused = await leases.acquire(HOST, 801, randomUUID()).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(Error);
    expect(refused).not.toBeInstanceOf(TypeError);
    const renewal = await lease.renew().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(renewal).toBeInstanceOf(Error);
    // keepOwnership retries a transient error; only OwnershipLostError aborts the attempt.
    expect(renewal).not.toBeInstanceOf(OwnershipLostError);
    await expect(lease.release()).rejects.toThrow();
  });

  it("vmid leases - an attempt that is aborted stops waiting for the bucket's leader at once", async () => {
    const { leases, bucket } = await openBucket(60_000, 15_000);
    const held = (await leases.acquire(HOST, 900, randomUUID()))!;
    await bus.jsm.streams.delete(`KV_${bucket}`); // nobody answers, as during an election
    const lostClaim = new OwnershipLostError("The claim on the operation was lost");
    for (const call of [
      (signal: AbortSignal) => leases.acquire(HOST, 901, randomUUID(), signal),
      (signal: AbortSignal) => held.renew(signal),
    ]) {
      const controller = new AbortController();
      setTimeout(() => controller.abort(lostClaim), 300);
      const started = Date.now();
      await expect(call(controller.signal)).rejects.toBe(lostClaim);
      expect(Date.now() - started).toBeLessThan(3_000); // not the 15 s the wait allows
    }
  });

  it("vmid leases - the TTL frees the lease of a worker that stopped renewing; renewals keep it", async () => {
    const ttlMs = 1_000;
    const { leases } = await openBucket(ttlMs);
    const crashed = randomUUID();
    const alive = randomUUID();
    await leases.acquire(HOST, 600, crashed);
    const kept = (await leases.acquire(HOST, 601, alive))!;
    const renewing = setInterval(() => void kept.renew().catch(() => undefined), ttlMs / 4);
    try {
      expect(await leases.acquire(HOST, 600, randomUUID())).toBeNull();
      await eventually(async () => (await leases.holder(HOST, 600)) === null, {
        timeoutMs: 15_000,
        what: "lease expired",
      });
      const successor = randomUUID();
      expect(await leases.acquire(HOST, 600, successor)).not.toBeNull();
      expect(await leases.holder(HOST, 600)).toBe(successor);
      // The renewed lease outlived several TTLs.
      await sleep(ttlMs * 1.5);
      expect(await leases.holder(HOST, 601)).toBe(alive);
    } finally {
      clearInterval(renewing);
    }
  });
});

describe("keepOwnership", () => {
  const CLAIM_TTL_MS = 600;

  async function attempt(leaseTtlMs = 60_000) {
    const { leases, kv } = await openBucket(leaseTtlMs);
    const operationId = randomUUID();
    const workerId = `worker-${randomUUID().slice(0, 8)}`;
    await db
      .insertInto("operations")
      .values({
        id: operationId,
        kind: "deploy",
        app_id: "app-1",
        host_id: HOST,
        node: "pve1",
        vmid: null,
        status: "running",
        last_error: null,
        claimed_by: workerId,
        claimed_until: new Date(Date.now() + CLAIM_TTL_MS),
      })
      .execute();
    const vmid = 700 + Math.floor(Math.random() * 1000);
    const lease = (await leases.acquire(HOST, vmid, operationId))!;
    const a = {
      deps: { db, workerId, settings: { claimTtlMs: CLAIM_TTL_MS, leaseTtlMs } },
      request: { operationId },
      claim: workerId,
      log: logger,
      lease,
    } as unknown as Attempt;
    const controller = new AbortController();
    const claimedUntil = async () =>
      (
        await db
          .selectFrom("operations")
          .select("claimed_until")
          .where("id", "=", operationId)
          .executeTakeFirstOrThrow()
      ).claimed_until;
    return { a, controller, kv, key: `${HOST}.${vmid}`, lease, leases, vmid, operationId, claimedUntil };
  }

  it("keep ownership - renews the claim and the lease while both are held, and does not abort", async () => {
    const t = await attempt(1_000);
    const stop = keepOwnership(t.a, t.controller);
    try {
      const r0 = t.lease.revision;
      await sleep(2_000); // over three claim TTLs and two lease TTLs
      expect(t.controller.signal.aborted).toBe(false);
      expect(t.lease.revision).toBeGreaterThan(r0);
      expect(await t.leases.holder(HOST, t.vmid)).toBe(t.operationId);
      expect((await t.claimedUntil())!.getTime()).toBeGreaterThan(Date.now());
    } finally {
      stop();
    }
  });

  it("keep ownership - a lost VMID lease aborts the attempt with OwnershipLostError", async () => {
    const t = await attempt();
    const stop = keepOwnership(t.a, t.controller);
    try {
      await t.kv.put(t.key, new TextEncoder().encode("another-operation"));
      await eventually(async () => t.controller.signal.aborted, { timeoutMs: 5_000, what: "abort" });
      expect(t.controller.signal.reason).toBeInstanceOf(OwnershipLostError);
      // The abort did not fight the new holder for the key.
      expect(await t.leases.holder(HOST, t.vmid)).toBe("another-operation");
    } finally {
      stop();
    }
  });

  it("keep ownership - a claim taken over by another worker aborts the attempt", async () => {
    const t = await attempt();
    const stop = keepOwnership(t.a, t.controller);
    try {
      await db
        .updateTable("operations")
        .set({ claimed_by: "other-worker" })
        .where("id", "=", t.operationId)
        .execute();
      await eventually(async () => t.controller.signal.aborted, { timeoutMs: 5_000, what: "abort" });
      expect(t.controller.signal.reason).toBeInstanceOf(OwnershipLostError);
    } finally {
      stop();
    }
  });

  it("keep ownership - the returned stop ends the renewals", async () => {
    const t = await attempt();
    const stop = keepOwnership(t.a, t.controller);
    await sleep(CLAIM_TTL_MS); // a few ticks
    stop();
    await sleep(100); // a tick in flight settles
    const revision = (await t.kv.get(t.key))?.revision;
    const until = await t.claimedUntil();
    await sleep(CLAIM_TTL_MS);
    expect((await t.kv.get(t.key))?.revision).toBe(revision);
    expect(await t.claimedUntil()).toEqual(until);
    expect(t.controller.signal.aborted).toBe(false);
  });
});
