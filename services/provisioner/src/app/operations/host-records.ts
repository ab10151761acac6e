/**
 * The hosts service's connection record of each host (address, TLS, nodes and their pinned keys,
 * the names of its secrets), kept by this process between operations. Every operation used to ask
 * the hosts service for it: one gRPC call on each operation's path (4–5 ms of a deploy one at a
 * time, and the hosts service's CPU). Now an operation reads it when this process holds none, and
 * later operations reuse it until one of:
 * - the hosts service says it changed: HostConnectionChanged, recorded in the transaction of every
 *   update of the host, of a node's SSH host key pinned and of the host's removal, and read by each
 *   replica (a broadcast consumer);
 * - an attempt that used it failed or refused it (a moved host, a node not listed yet: the retry
 *   reads the record again);
 * - it is `maxAgeMs` old, a bound on how long a late or lost event can leave a record in use.
 * A read that began before a change is not kept: its answer may predate the change.
 *
 * What the record names (secret names, not values) is no secret; the credentials themselves stay in
 * the host's session (host-sessions.ts), which is reopened whenever the record changes.
 */
import type { hostsV1 } from "@proximity/proto";

type HostConnectionRecord = hostsV1.GetHostConnectionResponse;

/** A host's record as an operation got it: kept from an earlier read, or read for it. */
export interface HostRecordUse {
  readonly record: HostConnectionRecord;
  /** Read for an earlier operation: it may predate a change whose event has not arrived yet. */
  readonly kept: boolean;
}

export interface HostRecords {
  /** The record of `hostId`: kept, or read with `read` (and kept if nothing changed meanwhile). */
  get(hostId: string, read: () => Promise<HostConnectionRecord>): Promise<HostRecordUse>;
  /** The record of `hostId` read with `read` whatever is kept (and kept in its place). */
  refresh(hostId: string, read: () => Promise<HostConnectionRecord>): Promise<HostRecordUse>;
  /**
   * The record of `hostId` is read again by the next operation (reads in flight are not kept).
   * @returns whether a record was kept.
   */
  forget(hostId: string): boolean;
  /** Records kept. */
  size(): number;
}

interface Kept {
  readonly record: HostConnectionRecord;
  readonly readAt: number;
  /** Order of the read's start among this process's reads (the later read's answer stays). */
  readonly readNo: number;
}

export function createHostRecords(options: {
  /** Longest a record is kept; 0 keeps none (every operation reads it). */
  readonly maxAgeMs: number;
  /** Monotonic clock in ms (tests); a wall clock set back would keep a record past its age. */
  readonly now?: () => number;
}): HostRecords {
  const { maxAgeMs } = options;
  const now = options.now ?? (() => performance.now());
  let reads = 0;
  const kept = new Map<string, Kept>();
  /** Forgets per host: a read keeps its answer only if no forget came while it ran. */
  const forgets = new Map<string, number>();

  const readAndKeep = async (hostId: string, read: () => Promise<HostConnectionRecord>) => {
    const forgetsBefore = forgets.get(hostId) ?? 0;
    const readAt = now();
    const readNo = ++reads;
    const record = await read();
    if (!record.host) {
      // A host the hosts service does not know (any more): the caller refuses the operation.
      kept.delete(hostId);
    } else if (maxAgeMs > 0 && (forgets.get(hostId) ?? 0) === forgetsBefore) {
      // Of two reads at once, the later one's answer stays.
      if ((kept.get(hostId)?.readNo ?? 0) < readNo) kept.set(hostId, { record, readAt, readNo });
    }
    return { record, kept: false };
  };

  return {
    get: async (hostId, read) => {
      const entry = kept.get(hostId);
      if (entry && now() - entry.readAt < maxAgeMs) return { record: entry.record, kept: true };
      if (entry) kept.delete(hostId); // expired: never used again
      return readAndKeep(hostId, read);
    },
    refresh: readAndKeep,
    forget: (hostId) => {
      forgets.set(hostId, (forgets.get(hostId) ?? 0) + 1);
      return kept.delete(hostId);
    },
    size: () => kept.size,
  };
}
