/**
 * VMID leases in a NATS KV bucket: key `<hostId>.<vmid>`, value = `<operation id> <nonce>` (the
 * nonce is new at every acquire: it tells one holding of the lease from a later one of the same
 * operation). A lease covers one VMID from its choice until the container exists and the journal's
 * containers row holds it. Create-if-absent decides who gets it; the bucket TTL frees the lease of a
 * crashed worker; each renewal is a compare-and-set on the last revision (the fencing token), so a
 * worker that was paused past the TTL learns it lost the lease instead of overwriting the new
 * holder's. A renewal whose answer was lost but which landed is recognised by its nonce on the next.
 *
 * Every request waits out an election of the bucket's stream leader (untilLeaderAnswers) rather
 * than failing the operation's attempt; timeouts are retried only where a repeat is recognised
 * (a create or delete that did land shows up as our own key, or as already gone).
 */

import { randomBytes } from "node:crypto";
import { KvBuckets, openKvBucket, untilLeaderAnswers } from "@proximity/bus";
import type { JetStreamClient, KV, KvEntry } from "nats";
import { LeaseLostError } from "../app/operations/errors.js";

/** A held lease. */
export interface VmidLease {
  readonly hostId: string;
  readonly vmid: number;
  /** Revision of our last write: the fencing token. */
  readonly revision: number;
  /**
   * Compare-and-set renewal; rejects with OwnershipLostError when someone else holds the key now.
   * `signal`: stop waiting out a leader election when it aborts.
   */
  renew(signal?: AbortSignal): Promise<void>;
  /** Deletes the key if it is still our revision (a lost lease is left to its new holder). */
  release(): Promise<void>;
}

export interface VmidLeases {
  /** How long a lease lives unrenewed: the bucket's TTL as the server holds it (renew well within it). */
  readonly ttlMs: number;
  /**
   * Takes the lease for `operationId`, or re-adopts it when the operation already holds it (a
   * retry after a failed attempt). Null when another operation holds it. `signal` (the attempt's,
   * aborted when it lost its operation): stop waiting out a leader election, rejecting with its reason.
   */
  acquire(hostId: string, vmid: number, operationId: string, signal?: AbortSignal): Promise<VmidLease | null>;
  /**
   * Marks `vmid` of the host as tried by this process, before it is tried. False when it is marked
   * already (another operation of this process is trying or holds it): the placement skips it
   * without asking NATS. The mark goes with the lease (released, lost, or expired); a VMID held
   * elsewhere stays marked for a TTL.
   */
  claimCandidate(hostId: string, vmid: number): boolean;
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
    once: (request, signal) => untilLeaderAnswers(request, { budgetMs, signal }),
    repeatable: (request, signal) => untilLeaderAnswers(request, { budgetMs, retryTimeouts: true, signal }),
  });
}

const WRONG_LAST_SEQUENCE = 10071;
const isCasConflict = (err: unknown) =>
  (err as { api_error?: { err_code?: number } }).api_error?.err_code === WRONG_LAST_SEQUENCE;
const keyOf = (hostId: string, vmid: number) => `${hostId}.${vmid}`;
/** The value of one holding: the operation, then a nonce of this acquire. */
const holdingValue = (operationId: string) =>
  new TextEncoder().encode(`${operationId} ${randomBytes(9).toString("base64url")}`);
/** The operation holding the key (values written before the nonce hold the operation id alone). */
const holderOf = (entry: KvEntry | null): string | null =>
  entry?.operation === "PUT" ? (entry.string().split(" ")[0] ?? null) : null;
const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
type Request = <T>(request: () => Promise<T>, signal?: AbortSignal) => Promise<T>;
/** A request waiting out an election: `repeatable` for one whose repeat is harmless (timeouts retried too). */
interface LeaderWaits {
  readonly once: Request;
  readonly repeatable: Request;
}

/**
 * The VMIDs this process is trying or holds, per host. Its placements skip them, each claiming a
 * candidate before trying it: without that, operations placing containers on one host at once all
 * walked the same candidates in the same order, a failed create-if-absent apiece, and past 32
 * failed their attempt for want of a VMID. A mark goes with the lease's release (here or by
 * releaseIfHeld) or loss, or a TTL after its last write (a failed attempt's lease is left to
 * expire); a VMID another replica holds is marked for a TTL. Skipping is always safe: NATS decides
 * every VMID that is tried.
 */
class LocalClaims {
  readonly #byHost = new Map<string, Map<number, number>>();
  readonly #ttlMs: number;

  constructor(ttlMs: number) {
    this.#ttlMs = ttlMs;
  }

  /** Marks `vmid` unless it is marked (then false). Expired marks of the host go first. */
  claim(hostId: string, vmid: number): boolean {
    const host = this.#byHost.get(hostId);
    if (host) {
      // A host's marks are its placements in flight: few, so each claim can sweep them.
      const expired = Date.now() - this.#ttlMs;
      for (const [marked, at] of host) if (at <= expired) host.delete(marked);
      if (host.has(vmid)) return false;
    }
    this.touch(hostId, vmid);
    return true;
  }

  /** The lease on `vmid` was taken or renewed just now. */
  touch(hostId: string, vmid: number): void {
    const host = this.#byHost.get(hostId) ?? new Map<number, number>();
    host.set(vmid, Date.now());
    this.#byHost.set(hostId, host);
  }

  forget(hostId: string, vmid: number): void {
    const host = this.#byHost.get(hostId);
    host?.delete(vmid);
    if (host?.size === 0) this.#byHost.delete(hostId);
  }
}

class VmidLeasesImpl implements VmidLeases {
  readonly #kv: KV;
  readonly #waits: LeaderWaits;
  readonly #claims: LocalClaims;
  readonly ttlMs: number;

  constructor(kv: KV, ttlMs: number, waits: LeaderWaits) {
    this.#kv = kv;
    this.#waits = waits;
    this.#claims = new LocalClaims(ttlMs);
    this.ttlMs = ttlMs;
  }

  claimCandidate(hostId: string, vmid: number): boolean {
    return this.#claims.claim(hostId, vmid);
  }

  async acquire(
    hostId: string,
    vmid: number,
    operationId: string,
    signal?: AbortSignal,
  ): Promise<VmidLease | null> {
    const key = keyOf(hostId, vmid);
    const value = holdingValue(operationId);
    try {
      const revision = await this.#waits.repeatable(() => this.#kv.create(key, value), signal);
      return new LeaseImpl(this.#kv, this.#waits, this.#claims, { hostId, vmid, value, revision });
    } catch (err) {
      if (!isCasConflict(err)) throw err;
    }
    const current = await this.#waits.repeatable(() => this.#kv.get(key), signal);
    if (current === null || holderOf(current) !== operationId) return this.#refused(hostId, vmid);
    try {
      const revision = await this.#waits.once(() => this.#kv.update(key, value, current.revision), signal);
      return new LeaseImpl(this.#kv, this.#waits, this.#claims, { hostId, vmid, value, revision });
    } catch (err) {
      if (isCasConflict(err)) return this.#refused(hostId, vmid);
      throw err;
    }
  }

  /**
   * Someone else holds it (another replica's operation, most likely placing a container on it):
   * marked for a TTL, so this process's other placements do not ask NATS for it again meanwhile.
   */
  #refused(hostId: string, vmid: number): null {
    this.#claims.touch(hostId, vmid);
    return null;
  }

  async releaseIfHeld(hostId: string, vmid: number, operationId: string): Promise<void> {
    const key = keyOf(hostId, vmid);
    const current = await this.#waits.repeatable(() => this.#kv.get(key));
    if (current === null || holderOf(current) !== operationId) return;
    await this.#waits
      .repeatable(() => this.#kv.delete(key, { previousSeq: current.revision }))
      .then(() => this.#claims.forget(hostId, vmid))
      .catch((err: unknown) => {
        if (!isCasConflict(err)) throw err; // taken over meanwhile: not ours to delete
      });
  }

  async holder(hostId: string, vmid: number): Promise<string | null> {
    return holderOf(await this.#waits.repeatable(() => this.#kv.get(keyOf(hostId, vmid))));
  }
}

class LeaseImpl implements VmidLease {
  readonly #kv: KV;
  readonly #waits: LeaderWaits;
  readonly #claims: LocalClaims;
  readonly #value: Uint8Array;
  readonly hostId: string;
  readonly vmid: number;
  #revision: number;
  #released = false;

  constructor(
    kv: KV,
    waits: LeaderWaits,
    claims: LocalClaims,
    held: { hostId: string; vmid: number; value: Uint8Array; revision: number },
  ) {
    this.#kv = kv;
    this.#waits = waits;
    this.#claims = claims;
    this.#value = held.value;
    this.hostId = held.hostId;
    this.vmid = held.vmid;
    this.#revision = held.revision;
    claims.touch(this.hostId, this.vmid);
  }

  get revision(): number {
    return this.#revision;
  }

  async renew(signal?: AbortSignal): Promise<void> {
    if (this.#released) return;
    try {
      // Not retried on timeout: a renewal that landed moved the revision on (recognised below).
      this.#revision = await this.#update(signal);
      if (!this.#released) this.#claims.touch(this.hostId, this.vmid);
      return;
    } catch (err) {
      if (!isCasConflict(err)) throw err;
      if (this.#released) return; // released meanwhile (the container exists): nothing was lost
      // Our last renewal may have landed with its answer lost: then the key holds this holding's
      // value (its nonce) at a later revision. Any other value means the lease is someone else's.
      const current = await this.#waits.repeatable(() => this.#kv.get(this.#key), signal);
      if (current?.operation !== "PUT" || !sameBytes(current.value, this.#value)) throw this.#lost(err);
      this.#revision = current.revision;
    }
    const revision = await this.#update(signal).catch((err: unknown) => {
      if (isCasConflict(err) && this.#released) return this.#revision;
      throw isCasConflict(err) ? this.#lost(err) : err;
    });
    this.#revision = revision;
    if (!this.#released) this.#claims.touch(this.hostId, this.vmid);
  }

  #update(signal: AbortSignal | undefined): Promise<number> {
    return this.#waits.once(() => this.#kv.update(this.#key, this.#value, this.#revision), signal);
  }

  #lost(cause: unknown): LeaseLostError {
    this.#claims.forget(this.hostId, this.vmid);
    return new LeaseLostError(`The lease on VMID ${this.vmid} was lost`, cause);
  }

  get #key(): string {
    return keyOf(this.hostId, this.vmid);
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    this.#claims.forget(this.hostId, this.vmid);
    const deleteAt = (revision: number) =>
      this.#waits.repeatable(() => this.#kv.delete(this.#key, { previousSeq: revision }));
    try {
      await deleteAt(this.#revision);
    } catch (err) {
      if (!isCasConflict(err)) throw err;
      // Still ours at a later revision (a renewal that landed unanswered): delete that one. Anyone
      // else's holding is left to them.
      const current = await this.#waits.repeatable(() => this.#kv.get(this.#key));
      if (current?.operation !== "PUT" || !sameBytes(current.value, this.#value)) return;
      await deleteAt(current.revision).catch((e: unknown) => {
        if (!isCasConflict(e)) throw e;
      });
    }
  }
}
