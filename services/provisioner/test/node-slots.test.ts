/**
 * NodeSlots against real NATS KV: two instances on one bucket play two provisioner replicas. Each
 * test opens a bucket of its own (`<ns>_node_slots` with a fresh namespace).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { type Bus, connectBus } from "@proximity/bus";
import { testLogger, testServers, uniqueNamespace } from "@proximity/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { SlotLimits } from "../src/domain/slot-limits.js";
import { type NodeSlots, openNodeSlots } from "../src/infra/node-slots.js";

const logger = testLogger("node-slots");
const HOST = "host-1";
let bus: Bus;
const opened: NodeSlots[] = [];
const buckets: string[] = [];

beforeAll(async () => {
  bus = await connectBus({
    servers: testServers().natsUrl,
    name: "node-slots-test",
    ns: uniqueNamespace(),
    logger,
  });
});

afterEach(async () => {
  for (const s of opened.splice(0)) s.close();
  for (const b of buckets.splice(0)) await bus.jsm.streams.delete(`KV_${b}`).catch(() => undefined);
});

afterAll(async () => {
  await bus?.close();
});

/** `replicas` NodeSlots on one fresh bucket. */
async function openReplicas(
  replicas: number,
  limits: Partial<SlotLimits> = {},
  ttlMs = 30_000,
): Promise<NodeSlots[]> {
  const ns = uniqueNamespace();
  buckets.push(`${ns}_node_slots`);
  const out: NodeSlots[] = [];
  for (let i = 0; i < replicas; i++) {
    const slots = await openNodeSlots(bus.js, ns, {
      limits: { node: 2, host: 100, nodeOverrides: new Map(), hostOverrides: new Map(), ...limits },
      ttlMs,
      pollMs: 50,
      workerId: `replica-${i}`,
      logger,
      declare: true,
    });
    opened.push(slots);
    out.push(slots);
  }
  return out;
}

/** Runs `work` inside a slot, counting how many run at once per node. */
function counter() {
  const now = new Map<string, number>();
  const max = new Map<string, number>();
  return {
    max,
    run: async (slots: NodeSlots, node: string, holdMs: number) => {
      const grant = await slots.acquire(HOST, node);
      const n = (now.get(node) ?? 0) + 1;
      now.set(node, n);
      max.set(node, Math.max(max.get(node) ?? 0, n));
      await sleep(holdMs);
      now.set(node, (now.get(node) ?? 1) - 1);
      await grant.release();
    },
  };
}

describe("node slots", () => {
  it("node slots - a burst over two replicas never exceeds a node's limit, and every waiter gets its turn", async () => {
    const [a, b] = await openReplicas(2, { node: 3 });
    const c = counter();
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => c.run(i % 2 === 0 ? a! : b!, i % 3 === 0 ? "pve2" : "pve1", 60)),
    );
    expect(c.max.get("pve1")).toBe(3);
    expect(c.max.get("pve2")).toBeLessThanOrEqual(3);
    expect(await a!.holders(HOST, "pve1")).toBe(0);
    // 20 on pve1 at 3 at a time: 7 rounds of 60 ms, not 20 (generous bound for a busy machine).
    expect(Date.now() - started).toBeLessThan(20 * 60);
  });

  it("node slots - at rest, a slot is taken and freed by one write each and no read; a key written elsewhere is read once", async () => {
    const [a, b] = await openReplicas(2, { node: 3 });
    const bucket = buckets.at(-1)!;
    await (await a!.acquire(HOST, "pve1")).release(); // the key exists, as a has seen it
    const seen = { reads: 0, writes: 0 };
    const subs = [
      bus.nc.subscribe(`$JS.API.DIRECT.GET.KV_${bucket}.>`, { callback: () => seen.reads++ }),
      bus.nc.subscribe(`$JS.API.DIRECT.GET.KV_${bucket}`, { callback: () => seen.reads++ }),
      bus.nc.subscribe(`$JS.API.STREAM.MSG.GET.KV_${bucket}`, { callback: () => seen.reads++ }),
      bus.nc.subscribe(`$KV.${bucket}.>`, { callback: () => seen.writes++ }),
    ];
    try {
      await bus.nc.flush();
      await (await a!.acquire(HOST, "pve1")).release();
      await bus.nc.flush();
      expect(seen).toEqual({ reads: 0, writes: 2 }); // the host's key, taken and freed

      await (await b!.acquire(HOST, "pve1")).release(); // what a knows of the key is outdated now
      seen.reads = 0;
      seen.writes = 0;
      const grant = await a!.acquire(HOST, "pve1");
      await bus.nc.flush();
      // A write on the old revision (refused), a read, the write.
      expect(seen).toEqual({ reads: 1, writes: 2 });
      expect(await b!.holders(HOST, "pve1")).toBe(1);
      await grant.release();
      expect(await b!.holders(HOST, "pve1")).toBe(0);
    } finally {
      for (const s of subs) s.unsubscribe();
    }
  });

  it("node slots - a holder left by a replica of the two-key layout (no node in its id) counts against every node of its host", async () => {
    const [a] = await openReplicas(1, { node: 1, host: 10 });
    const bucket = buckets.at(-1)!;
    const kv = await bus.js.views.kv(bucket, { bindOnly: true });
    await kv.put(
      `h.${HOST}`,
      new TextEncoder().encode(JSON.stringify({ "old-replica#1.ab12": Date.now() + 1_500 })),
    );
    const t0 = Date.now();
    const grant = await a!.acquire(HOST, "pve2");
    // Not before the older holder expired: its node is unknown, so pve2 was full meanwhile.
    expect(Date.now() - t0).toBeGreaterThan(1_000);
    expect(await a!.holders(HOST, "pve2")).toBe(1);
    await grant.release();
  });

  it("node slots - a host full as a replica last saw it: a slot freed by another replica is taken within a few polls", async () => {
    const [a, b] = await openReplicas(2, { node: 3, host: 1 });
    const held = await a!.acquire(HOST, "pve1");
    const waiting = b!.acquire(HOST, "pve2"); // b sees the host full, and remembers it
    await sleep(200);
    expect(b!.waiting(HOST, "pve2")).toBe(1);
    await held.release();
    const t0 = Date.now();
    const grant = await waiting;
    expect(Date.now() - t0).toBeLessThan(2_000); // not the slot TTL (30 s)
    await grant.release();
  });

  it("node slots - the host limit holds across its nodes", async () => {
    const [a, b] = await openReplicas(2, { node: 3, host: 4 });
    let now = 0;
    let max = 0;
    await Promise.all(
      Array.from({ length: 24 }, async (_, i) => {
        const grant = await (i % 2 ? a! : b!).acquire(HOST, `pve${i % 3}`);
        max = Math.max(max, ++now);
        await sleep(40);
        now--;
        await grant.release();
      }),
    );
    expect(max).toBe(4);
  });

  it("node slots - a node whose name needs encoding in a key is counted under that name", async () => {
    const [a, b] = await openReplicas(2, { node: 1 });
    const grant = await a!.acquire(HOST, "pve.1");
    expect(await b!.holders(HOST, "pve.1")).toBe(1);
    expect(await b!.holders(HOST, "pve")).toBe(0);
    await grant.release();
    expect(await b!.holders(HOST, "pve.1")).toBe(0);
  });

  it("node slots - a saturated node does not delay another node's work", async () => {
    const [a, b] = await openReplicas(2, { node: 1 });
    const held = await a!.acquire(HOST, "pve1");
    const queued = [a!.acquire(HOST, "pve1"), b!.acquire(HOST, "pve1"), b!.acquire(HOST, "pve1")];
    const t0 = Date.now();
    const other = await b!.acquire(HOST, "pve2");
    expect(Date.now() - t0).toBeLessThan(500);
    expect(a!.waiting(HOST, "pve1") + b!.waiting(HOST, "pve1")).toBe(3);
    await other.release();
    await held.release();
    await Promise.all(queued.map(async (q) => (await q).release()));
  });

  it("node slots - a waiter that gives up leaves the queue and holds nothing", async () => {
    const [a] = await openReplicas(1, { node: 1 });
    const held = await a!.acquire(HOST, "pve1");
    const ac = new AbortController();
    const waiting = a!.acquire(HOST, "pve1", ac.signal);
    ac.abort(new Error("stopping"));
    await expect(waiting).rejects.toThrow("stopping");
    expect(a!.waiting(HOST, "pve1")).toBe(0);
    await held.release();
    expect(await a!.holders(HOST, "pve1")).toBe(0);
  });

  it("node slots - a crashed replica's slots are free again once their TTL passes", async () => {
    const [crashing, survivor] = await openReplicas(2, { node: 1 }, 1_000);
    await crashing!.acquire(HOST, "pve1");
    crashing!.close(); // no release, no more renewals: as if the process died
    const t0 = Date.now();
    const grant = await survivor!.acquire(HOST, "pve1");
    const waited = Date.now() - t0;
    expect(waited).toBeGreaterThan(500);
    expect(waited).toBeLessThan(5_000);
    await grant.release();
  });

  it("node slots - a live holder is renewed past its TTL and keeps its slot", async () => {
    const [a, b] = await openReplicas(2, { node: 1 }, 600);
    const held = await a!.acquire(HOST, "pve1");
    let got = false;
    const waiting = b!.acquire(HOST, "pve1").then((g) => {
      got = true;
      return g;
    });
    await sleep(1_800);
    expect(got).toBe(false);
    await held.release();
    await (await waiting).release();
  });
});
