/**
 * Slots of work per node and per host, platform-wide: one NATS KV key per node (`n.<host>.<node>`)
 * and per host (`h.<host>`) holds the holders and their expiries, changed only by compare-and-set
 * on the key's last revision, so every replica sees one count and none over-admits. A holder is
 * renewed every third of its TTL; a crashed replica's holders expire by themselves (expiries are
 * wall-clock times: replicas' clocks must agree to well within the TTL).
 *
 * Waiting costs no worker: each process keeps one FIFO queue per node, and only the queue's pump
 * polls the keys (woken at once when a slot of this process is released, otherwise every
 * `pollMs`), granting as many queued waiters as there is room in one write. Queues of different
 * nodes are independent: a saturated node never holds up another's work.
 */
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { KvBuckets, openKvBucket } from "@proximity/bus";
import type { Logger } from "@proximity/logger";
import type { JetStreamClient, KV } from "nats";
import {
  decodeHolders,
  type Holders,
  hostLimitOf,
  liveHolders,
  nodeLimitOf,
  roomIn,
  type SlotLimits,
} from "../domain/slot-limits.js";
import { PerKeyBatches } from "./per-key-batches.js";

/** A held slot on a node (and on its host). */
export interface SlotGrant {
  /** Frees the slot (idempotent); never throws (a slot that cannot be freed expires). */
  release(): Promise<void>;
}

export interface NodeSlots {
  /**
   * Waits for a slot on `node` of `hostId` and on the host. Rejects with the signal's reason when
   * `signal` aborts first (the waiter is gone from the queue; nothing is held).
   */
  acquire(hostId: string, node: string, signal?: AbortSignal): Promise<SlotGrant>;
  /** Live holders of a node's slots, all replicas (tests and diagnostics). */
  holders(hostId: string, node: string): Promise<number>;
  /** Waiters of this process queued for a node. */
  waiting(hostId: string, node: string): number;
  /** Stops renewing (held slots then expire) and rejects every waiter. */
  close(): void;
}

export interface NodeSlotsOptions {
  readonly limits: SlotLimits;
  /** Life of an unrenewed holder: how long a crashed replica's slots stay taken. */
  readonly ttlMs: number;
  /** Pause between two looks of a waiting queue at a full node (slots freed by other replicas). */
  readonly pollMs: number;
  /** Names this process's holders (the worker id that begins its claims in operations.claimed_by). */
  readonly workerId: string;
  readonly logger: Logger;
  /** Create the bucket when absent (server without authentication; tests). */
  readonly declare: boolean;
}

/** Opens bucket `<ns>_node_slots` (KvBuckets.nodeSlots, declared by setup). */
export async function openNodeSlots(
  js: JetStreamClient,
  ns: string,
  options: NodeSlotsOptions,
): Promise<NodeSlots> {
  const bucket = await openKvBucket(js, ns, KvBuckets.nodeSlots, { declare: options.declare });
  // Each write of a key keeps it; a key untouched for a third of the TTL would still hold holders.
  if (bucket.ttlMs > 0 && bucket.ttlMs < options.ttlMs)
    throw new Error(
      `PROVISIONER_SLOT_TTL_MS (${options.ttlMs} ms) is longer than the ${ns}_node_slots bucket keeps a key (${bucket.ttlMs} ms)`,
    );
  return new NodeSlotsImpl(bucket.kv, options);
}

const WRONG_LAST_SEQUENCE = 10071;
const isCasConflict = (err: unknown) =>
  (err as { api_error?: { err_code?: number } }).api_error?.err_code === WRONG_LAST_SEQUENCE;
/** KV keys allow [-/_=.A-Za-z0-9]; anything else (and dots, which split tokens) is hex-encoded. */
const token = (s: string) => (/^[A-Za-z0-9_-]+$/.test(s) ? s : `x${Buffer.from(s).toString("hex")}`);
const nodeKey = (hostId: string, node: string) => `n.${token(hostId)}.${token(node)}`;
const hostKey = (hostId: string) => `h.${token(hostId)}`;

interface Waiter {
  readonly resolve: (grant: SlotGrant) => void;
  readonly reject: (err: unknown) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
}

interface Queue {
  readonly hostId: string;
  readonly node: string;
  readonly waiters: Waiter[];
  pumping: boolean;
  /** Ends the pump's pause early (a local release, a new waiter). */
  wake: () => void;
}

class NodeSlotsImpl implements NodeSlots {
  readonly #kv: KV;
  readonly #o: NodeSlotsOptions;
  readonly #queues = new Map<string, Queue>();
  /** Holder id → its keys, for renewal. */
  readonly #held = new Map<string, { readonly hostId: string; readonly node: string }>();
  readonly #renewal: NodeJS.Timeout;
  /**
   * Holders being removed, written together per key: at a busy node operations end close
   * together, and a write each raced the others for the key (a conflict and a retry per race).
   */
  readonly #removals = new PerKeyBatches<string>((key, ids) => this.#removeNow(key, ids));
  /**
   * The last entry of each key this process read or wrote: a write first tries the revision it
   * knows, without reading the key (its compare-and-set fails if another write came between, and
   * the key is read then). At rest, taking and freeing a slot cost two writes each, not five reads
   * and writes.
   */
  readonly #known = new Map<string, KnownEntry>();
  #seq = 0;
  #closed = false;

  constructor(kv: KV, options: NodeSlotsOptions) {
    this.#kv = kv;
    this.#o = options;
    this.#renewal = setInterval(() => void this.#renewAll(), Math.max(50, options.ttlMs / 3));
    this.#renewal.unref();
  }

  acquire(hostId: string, node: string, signal?: AbortSignal): Promise<SlotGrant> {
    if (this.#closed) return Promise.reject(new Error("node slots closed"));
    signal?.throwIfAborted();
    const key = nodeKey(hostId, node);
    let queue = this.#queues.get(key);
    if (!queue) {
      queue = { hostId, node, waiters: [], pumping: false, wake: () => undefined };
      this.#queues.set(key, queue);
    }
    const q = queue;
    return new Promise<SlotGrant>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const i = q.waiters.indexOf(waiter);
          if (i >= 0) q.waiters.splice(i, 1);
          reject(signal?.reason);
        },
      };
      signal?.addEventListener("abort", waiter.onAbort, { once: true });
      q.waiters.push(waiter);
      if (q.pumping) q.wake();
      else void this.#pump(key, q);
    });
  }

  async holders(hostId: string, node: string): Promise<number> {
    const entry = await this.#kv.get(nodeKey(hostId, node));
    return Object.keys(liveHolders(decodeHolders(entry?.value), Date.now())).length;
  }

  waiting(hostId: string, node: string): number {
    return this.#queues.get(nodeKey(hostId, node))?.waiters.length ?? 0;
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#renewal);
    for (const q of this.#queues.values()) {
      for (const w of q.waiters.splice(0)) w.reject(new Error("node slots closed"));
      q.wake();
    }
  }

  /** Grants the queue's waiters, oldest first, as slots free up; ends when the queue is empty. */
  async #pump(key: string, q: Queue): Promise<void> {
    q.pumping = true;
    let failures = 0;
    try {
      while (q.waiters.length > 0 && !this.#closed) {
        let granted: string[] = [];
        try {
          granted = await this.#take(q.hostId, q.node, q.waiters.length);
          failures = 0;
        } catch (err) {
          // NATS unreachable for a moment: keep waiting (the deliveries are kept alive meanwhile).
          if (++failures === 1)
            this.#o.logger.warn({ err, hostId: q.hostId, node: q.node }, "node slots unreachable");
        }
        for (const id of granted) this.#hand(q, id);
        if (granted.length === 0 && q.waiters.length > 0) await this.#pause(q);
      }
    } finally {
      q.pumping = false;
      if (q.waiters.length === 0) this.#queues.delete(key);
      else if (!this.#closed) void this.#pump(key, q); // a waiter arrived as the loop ended
    }
  }

  /** Gives holder `id` to the oldest waiter, or frees it when every waiter gave up meanwhile. */
  #hand(q: Queue, id: string): void {
    const waiter = q.waiters.shift();
    let released = false;
    const grant: SlotGrant = {
      release: async () => {
        if (released) return;
        released = true;
        this.#held.delete(id);
        await this.#freePatiently(q.hostId, q.node, id);
        this.#wakeHost(q.hostId);
      },
    };
    this.#held.set(id, { hostId: q.hostId, node: q.node });
    if (!waiter) return void grant.release();
    waiter.signal?.removeEventListener("abort", waiter.onAbort);
    waiter.resolve(grant);
  }

  /**
   * Frees holder `id`, retried while NATS does not answer (a stream leader changing takes a few
   * seconds; issue 12): a holder left behind kept its slot until its expiry, so a node whose every
   * slot was being freed at that moment took no work for a whole slot TTL. Gives up when the
   * holder would have expired anyway, or the slots are closing.
   */
  async #freePatiently(hostId: string, node: string, id: string): Promise<void> {
    const end = Date.now() + this.#o.ttlMs;
    for (let delay = 100; ; delay = Math.min(delay * 2, 2_000)) {
      try {
        return await this.#free(hostId, node, id);
      } catch (err) {
        if (this.#closed || Date.now() + delay >= end) {
          this.#o.logger.warn({ err, hostId, node }, "node slot not freed; it expires");
          return;
        }
        await sleep(delay);
      }
    }
  }

  /** Waits `pollMs` (jittered, so replicas do not poll in step) or until woken. */
  async #pause(q: Queue): Promise<void> {
    const ac = new AbortController();
    q.wake = () => ac.abort();
    const ms = this.#o.pollMs * (0.75 + Math.random() / 2);
    await sleep(ms, undefined, { signal: ac.signal }).catch(() => undefined);
    q.wake = () => undefined;
  }

  /** A slot of this host was freed: every local queue of the host may go on. */
  #wakeHost(hostId: string): void {
    for (const q of this.#queues.values()) if (q.hostId === hostId) q.wake();
  }

  /**
   * Takes up to `wanted` slots on the node and its host at once. Node first, then host: when the
   * host has less room than the node gave, the surplus node slots are given back at once.
   */
  async #take(hostId: string, node: string, wanted: number): Promise<string[]> {
    const { limits, ttlMs } = this.#o;
    const hostLimit = hostLimitOf(limits, hostId);
    // A look at the host first: a full host costs a read per poll, not two writes. Full as this
    // process last saw it is checked with the key itself (a slot may have been freed elsewhere).
    const roomOf = (entry: KnownEntry) =>
      roomIn(liveHolders(decodeHolders(entry.value), Date.now()), hostLimit, Date.now());
    const seen = this.#known.get(hostKey(hostId));
    let hostRoom = seen ? roomOf(seen) : 0;
    if (hostRoom === 0) hostRoom = roomOf(await this.#read(hostKey(hostId)));
    if (hostRoom === 0) return [];
    const add = (holders: Holders, ids: readonly string[]) => {
      const until = Date.now() + ttlMs;
      return { ...holders, ...Object.fromEntries(ids.map((id) => [id, until])) };
    };
    const ids = await this.#update(
      nodeKey(hostId, node),
      nodeLimitOf(limits, hostId, node),
      (holders, room) => {
        const ids = Array.from({ length: Math.min(room, wanted, hostRoom) }, () => this.#newId());
        return { holders: ids.length > 0 ? add(holders, ids) : undefined, result: ids };
      },
    );
    if (ids.length === 0) return [];
    const onHost = await this.#update(hostKey(hostId), hostLimit, (holders, room) => {
      const taken = ids.slice(0, room);
      return { holders: taken.length > 0 ? add(holders, taken) : undefined, result: taken };
    }).catch(async (err: unknown) => {
      await this.#removeFrom(nodeKey(hostId, node), ids).catch(() => undefined);
      throw err;
    });
    // Another node of the host took the host's room meanwhile: give the surplus back at once.
    const surplus = ids.slice(onHost.length);
    // Not freed now, they expire: the slots taken on both keys are handed out all the same.
    if (surplus.length > 0)
      await this.#removeFrom(nodeKey(hostId, node), surplus).catch((err: unknown) =>
        this.#o.logger.warn({ err, hostId, node }, "surplus node slots not freed; they expire"),
      );
    return onHost;
  }

  async #free(hostId: string, node: string, id: string): Promise<void> {
    await this.#removeFrom(nodeKey(hostId, node), [id]);
    await this.#removeFrom(hostKey(hostId), [id]);
  }

  /** Removes holders from a key (with the removals of the key queued meanwhile: #removals). */
  #removeFrom(key: string, ids: readonly string[]): Promise<void> {
    return this.#removals.add(key, ids);
  }

  async #removeNow(key: string, ids: readonly string[]): Promise<void> {
    await this.#update(key, Number.POSITIVE_INFINITY, (holders) => {
      if (!ids.some((id) => id in holders)) return { holders: undefined, result: undefined }; // gone already
      const next = { ...holders };
      for (const id of ids) delete next[id];
      return { holders: next, result: undefined };
    });
  }

  /** Every held slot's expiry pushed forward, per key (one write per key). */
  async #renewAll(): Promise<void> {
    const byKey = new Map<string, string[]>();
    for (const [id, { hostId, node }] of this.#held) {
      for (const key of [nodeKey(hostId, node), hostKey(hostId)])
        byKey.set(key, [...(byKey.get(key) ?? []), id]);
    }
    for (const [key, ids] of byKey) {
      await this.#update(key, Number.POSITIVE_INFINITY, (holders) => {
        const until = Date.now() + this.#o.ttlMs;
        const lost = ids.filter((id) => !(id in holders) && this.#held.has(id));
        // Paused past the TTL: the operation still runs, so it counts again (briefly over the limit).
        if (lost.length > 0)
          this.#o.logger.warn({ key, lost: lost.length }, "node slots had expired; taken again");
        const mine = ids.filter((id) => this.#held.has(id));
        return {
          holders: { ...holders, ...Object.fromEntries(mine.map((id) => [id, until])) },
          result: undefined,
        };
      }).catch((err: unknown) => this.#o.logger.warn({ err, key }, "node slots not renewed"));
    }
  }

  /**
   * Read-modify-write of one key by compare-and-set, retried on conflict. `change` sees the live
   * holders and the room under `limit`, and returns the new holders (undefined: leave the key as
   * it is); expired holders are dropped by the write.
   */
  async #update<T>(
    key: string,
    limit: number,
    change: (holders: Holders, room: number) => { holders: Holders | undefined; result: T },
  ): Promise<T> {
    const decide = (entry: KnownEntry) => {
      const now = Date.now();
      const live = liveHolders(decodeHolders(entry.value), now);
      return change(live, roomIn(live, limit, now));
    };
    for (let attempt = 0; ; attempt++) {
      // First what this process knows of the key; read when that is all it knew (or it conflicted).
      const known = attempt === 0 ? this.#known.get(key) : undefined;
      let entry = known ?? (await this.#read(key));
      let decision = decide(entry);
      if (!decision.holders && known) {
        entry = await this.#read(key);
        decision = decide(entry);
      }
      const { holders, result } = decision;
      if (!holders) return result; // nothing to change: no write
      const value = new TextEncoder().encode(JSON.stringify(holders));
      try {
        const revision =
          entry.revision === undefined
            ? await this.#kv.create(key, value)
            : await this.#kv.update(key, value, entry.revision);
        this.#remember(key, { value, revision });
        return result;
      } catch (err) {
        this.#known.delete(key);
        if (!isCasConflict(err) || attempt >= 50) throw err;
        // Only a conflict with what was just read is another writer at work: back off from it.
        if (!known) await sleep(Math.random() * Math.min(50, 2 * (attempt + 1)));
      }
    }
  }

  /** The key as it is now (remembered). */
  async #read(key: string): Promise<KnownEntry> {
    const entry = await this.#kv.get(key);
    const known = { value: entry?.value, revision: entry?.revision };
    this.#remember(key, known);
    return known;
  }

  /** Keeps the newest entry of a key seen by this process (writes may land out of order). */
  #remember(key: string, entry: KnownEntry): void {
    const current = this.#known.get(key)?.revision;
    if (current === undefined || (entry.revision !== undefined && entry.revision >= current))
      this.#known.set(key, entry);
  }

  #newId(): string {
    return `${this.#o.workerId}#${++this.#seq}.${randomBytes(2).toString("hex")}`;
  }
}

/** A key's value and revision as this process last read or wrote it (no revision: no such key). */
interface KnownEntry {
  readonly value: Uint8Array | undefined;
  readonly revision: number | undefined;
}
