/**
 * VMID leases in a NATS KV bucket: key `<hostId>.<vmid>`, value = operation id. A lease covers one
 * VMID from its choice until the container exists and the journal's containers row holds it.
 * Create-if-absent decides who gets it; the bucket TTL frees the lease of a crashed worker; each
 * renewal is a compare-and-set on the last revision (the fencing token), so a worker that was
 * paused past the TTL learns it lost the lease instead of overwriting the new holder's.
 *
 * Every request waits out an election of the bucket's stream leader (untilLeaderAnswers) rather
 * than failing the operation's attempt; timeouts are retried only where a repeat is recognised
 * (a create or delete that did land shows up as our own key, or as already gone).
 */
import { KvBuckets, openKvBucket, untilLeaderAnswers } from "@proximity/bus";
import type { JetStreamClient, KV } from "nats";
import { LeaseLostError } from "../app/operations/errors.js";

/** A held lease. */
export interface VmidLease {
  readonly hostId: string;
  readonly vmid: number;
  /** Revision of our last write: the fencing token. */
  readonly revision: number;
  /** Compare-and-set renewal; rejects with OwnershipLostError when someone else holds the key now. */
  renew(): Promise<void>;
  /** Deletes the key if it is still our revision (a lost lease is left to its new holder). */
  release(): Promise<void>;
}

export interface VmidLeases {
  /** How long a lease lives unrenewed: the bucket's TTL as the server holds it (renew well within it). */
  readonly ttlMs: number;
  /**
   * Takes the lease for `operationId`, or re-adopts it when the operation already holds it (a
   * retry after a failed attempt). Null when another operation holds it.
   */
  acquire(hostId: string, vmid: number, operationId: string): Promise<VmidLease | null>;
  /** Releases the lease if `operationId` holds it (cleanup that no longer has the handle). */
  releaseIfHeld(hostId: string, vmid: number, operationId: string): Promise<void>;
  /** Current holder (operation id) or null; for tests and diagnostics. */
  holder(hostId: string, vmid: number): Promise<string | null>;
}

/**
 * Opens bucket `<ns>_vmid_leases`, declared by setup (KvBuckets.vmidLeases). With `declare` (a
 * server without authentication) it is created if absent, its TTL `ttlMs`. Either way the
 * leases live as long as the bucket's own TTL says (`ttlMs` of the result).
 */
export async function openVmidLeases(
  js: JetStreamClient,
  ns: string,
  ttlMs: number,
  options: {
    readonly declare: boolean;
    /** How long a request waits out an election of the bucket's leader (default 15 s). */
    readonly leaderWaitMs?: number;
  },
): Promise<VmidLeases> {
  // Named in the bus topology: the NATS permissions let the provisioner alone use it.
  const bucket = await openKvBucket(js, ns, KvBuckets.vmidLeases, { declare: options.declare, ttlMs });
  const budgetMs = options.leaderWaitMs ?? 15_000;
  return new VmidLeasesImpl(bucket.kv, bucket.ttlMs, {
    once: (request) => untilLeaderAnswers(request, { budgetMs }),
    repeatable: (request) => untilLeaderAnswers(request, { budgetMs, retryTimeouts: true }),
  });
}

const WRONG_LAST_SEQUENCE = 10071;
const isCasConflict = (err: unknown) =>
  (err as { api_error?: { err_code?: number } }).api_error?.err_code === WRONG_LAST_SEQUENCE;
const keyOf = (hostId: string, vmid: number) => `${hostId}.${vmid}`;
type Request = <T>(request: () => Promise<T>) => Promise<T>;
/** A request waiting out an election: `repeatable` for one whose repeat is harmless (timeouts retried too). */
interface LeaderWaits {
  readonly once: Request;
  readonly repeatable: Request;
}

class VmidLeasesImpl implements VmidLeases {
  readonly #kv: KV;
  readonly #waits: LeaderWaits;
  readonly ttlMs: number;

  constructor(kv: KV, ttlMs: number, waits: LeaderWaits) {
    this.#kv = kv;
    this.#waits = waits;
    this.ttlMs = ttlMs;
  }

  async acquire(hostId: string, vmid: number, operationId: string): Promise<VmidLease | null> {
    const key = keyOf(hostId, vmid);
    const value = new TextEncoder().encode(operationId);
    try {
      const revision = await this.#waits.repeatable(() => this.#kv.create(key, value));
      return new LeaseImpl(this.#kv, this.#waits, hostId, vmid, value, revision);
    } catch (err) {
      if (!isCasConflict(err)) throw err;
    }
    const current = await this.#waits.repeatable(() => this.#kv.get(key));
    if (current?.operation !== "PUT" || current.string() !== operationId) return null;
    try {
      return new LeaseImpl(
        this.#kv,
        this.#waits,
        hostId,
        vmid,
        value,
        await this.#waits.once(() => this.#kv.update(key, value, current.revision)),
      );
    } catch (err) {
      if (isCasConflict(err)) return null;
      throw err;
    }
  }

  async releaseIfHeld(hostId: string, vmid: number, operationId: string): Promise<void> {
    const key = keyOf(hostId, vmid);
    const current = await this.#waits.repeatable(() => this.#kv.get(key));
    if (current?.operation !== "PUT" || current.string() !== operationId) return;
    await this.#waits
      .repeatable(() => this.#kv.delete(key, { previousSeq: current.revision }))
      .catch((err: unknown) => {
        if (!isCasConflict(err)) throw err; // taken over meanwhile: not ours to delete
      });
  }

  async holder(hostId: string, vmid: number): Promise<string | null> {
    const current = await this.#waits.repeatable(() => this.#kv.get(keyOf(hostId, vmid)));
    return current?.operation === "PUT" ? current.string() : null;
  }
}

class LeaseImpl implements VmidLease {
  readonly #kv: KV;
  readonly #waits: LeaderWaits;
  readonly #value: Uint8Array;
  readonly hostId: string;
  readonly vmid: number;
  #revision: number;
  #released = false;

  constructor(kv: KV, waits: LeaderWaits, hostId: string, vmid: number, value: Uint8Array, revision: number) {
    this.#kv = kv;
    this.#waits = waits;
    this.#value = value;
    this.hostId = hostId;
    this.vmid = vmid;
    this.#revision = revision;
  }

  get revision(): number {
    return this.#revision;
  }

  async renew(): Promise<void> {
    if (this.#released) return;
    try {
      // Not retried on timeout: a renewal that landed would look like someone else's on retry.
      this.#revision = await this.#waits.once(() =>
        this.#kv.update(keyOf(this.hostId, this.vmid), this.#value, this.#revision),
      );
    } catch (err) {
      if (isCasConflict(err)) throw new LeaseLostError(`The lease on VMID ${this.vmid} was lost`, err);
      throw err;
    }
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    await this.#waits
      .repeatable(() => this.#kv.delete(keyOf(this.hostId, this.vmid), { previousSeq: this.#revision }))
      .catch((err: unknown) => {
        if (!isCasConflict(err)) throw err;
      });
  }
}
