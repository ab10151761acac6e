/**
 * Slots of work per node and per host, platform-wide: one NATS KV key per host (`h.<host>`) holds
 * the holders of all its nodes, each id naming its node (domain/slot-limits.ts), with their
 * expiries, changed only by compare-and-set on the key's last revision, so every replica sees one
 * count and none over-admits. Taking a slot on a node and its host is one write, as is freeing
 * it. A holder is renewed every third of its TTL; a crashed replica's holders expire by
 * themselves (expiries are wall-clock times: replicas' clocks must agree to well within the TTL).
 *
 * Waiting costs no worker: each process keeps one FIFO queue per node, and only the queue's pump
 * polls the key (woken at once when a slot of this process is released, otherwise every
 * `pollMs`), granting as many queued waiters as there is room in one write. Queues of different
 * nodes are independent: a saturated node never holds up another's work.
 *
 * Replicas before this layout kept a node's holders in a key of its own (`n.<host>.<node>`) and
 * the host's in `h.<host>`, with ids that name no node. During a rolling upgrade both count the
 * other's holders against the host's limit; this version counts an older replica's holder against
 * every node of the host, so it never over-admits a node (an older replica, which reads only its
 * node keys, still may, until the upgrade ends).
 */
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { KvBuckets, openKvBucket } from "@proximity/bus";
import type { Logger } from "@proximity/logger";
import type { JetStreamClient, KV } from "nats";
import {
  decodeHolders,
  type Holders,
  holderOn,
  holdersOnNode,
  hostLimitOf,
  liveHolders,
  nodeLimitOf,
  roomOnNode,
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
const hostKey = (hostId: string) => `h.${token(hostId)}`;
/** Waiters queue per node (the key holds the whole host). */
const queueKey = (hostId: string, node: string) => `${token(hostId)}.${token(node)}`;

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
  /** Holder id → its host, for renewal. */
  readonly #held = new Map<string, string>();
  readonly #renewal: NodeJS.Timeout;
  /**
   * Holders being removed, written together per key: at a busy node operations end close
   * together, and a write each raced the others for the key (a conflict and a retry per race).
   */
  readonly #removals = new PerKeyBatches<string>((key, ids) => this.#removeNow(key, ids));
  /**
   * The last entry of each key this process read or wrote: a write first tries the revision it
   * knows, without reading the key (its compare-and-set fails if another write came between, and
   * the key is read then). At rest, taking and freeing a slot cost one write each. A host full as
   * this process last saw it is read once per look (a slot may have been freed elsewhere).
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
    const key = queueKey(hostId, node);
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
    const entry = await this.#kv.get(hostKey(hostId));
    return holdersOnNode(decodeHolders(entry?.value), token(node), Date.now());
  }

  waiting(hostId: string, node: string): number {
    return this.#queues.get(queueKey(hostId, node))?.waiters.length ?? 0;
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
    this.#held.set(id, q.hostId);
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
        return await this.#free(hostId, id);
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

  /** Takes up to `wanted` slots on the node (and so on its host) in one write. */
  async #take(hostId: string, node: string, wanted: number): Promise<string[]> {
    const { limits, ttlMs } = this.#o;
    const nodeName = token(node);
    const bounds = { node: nodeLimitOf(limits, hostId, node), host: hostLimitOf(limits, hostId) };
    return this.#update(hostKey(hostId), (holders, now) => {
      const room = Math.min(wanted, roomOnNode(holders, nodeName, bounds, now));
      const ids = Array.from({ length: room }, () => holderOn(nodeName, this.#newId()));
      if (ids.length === 0) return { holders: undefined, result: ids };
      const until = now + ttlMs;
      return { holders: { ...holders, ...Object.fromEntries(ids.map((id) => [id, until])) }, result: ids };
    });
  }

  async #free(hostId: string, id: string): Promise<void> {
    await this.#removeFrom(hostKey(hostId), [id]);
  }

  /** Removes holders from a key (with the removals of the key queued meanwhile: #removals). */
  #removeFrom(key: string, ids: readonly string[]): Promise<void> {
    return this.#removals.add(key, ids);
  }

  async #removeNow(key: string, ids: readonly string[]): Promise<void> {
    await this.#update(key, (holders) => {
      if (!ids.some((id) => id in holders)) return { holders: undefined, result: undefined }; // gone already
      const next = { ...holders };
      for (const id of ids) delete next[id];
      return { holders: next, result: undefined };
    });
  }

  /** Every held slot's expiry pushed forward, per host (one write per host). */
  async #renewAll(): Promise<void> {
    const byKey = new Map<string, string[]>();
    for (const [id, hostId] of this.#held) {
      const key = hostKey(hostId);
      byKey.set(key, [...(byKey.get(key) ?? []), id]);
    }
    for (const [key, ids] of byKey) {
      await this.#update(key, (holders, now) => {
        const until = now + this.#o.ttlMs;
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
   * holders at `now`, and returns the new holders (undefined: leave the key as it is); expired
   * holders are dropped by the write.
   */
  async #update<T>(
    key: string,
    change: (holders: Holders, now: number) => { holders: Holders | undefined; result: T },
  ): Promise<T> {
    const decide = (entry: KnownEntry) => {
      const now = Date.now();
      return change(liveHolders(decodeHolders(entry.value), now), now);
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
