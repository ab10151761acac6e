/**
 * The VMIDs of the guests on each host as Proxmox last listed them (`GET /cluster/resources?type=vm`),
 * shared by this process's placements for `maxAgeMs`. The listing grows with the host's guests and
 * is fetched and parsed whole; every placement used to fetch its own, so a burst of N placements
 * on a host of G guests parsed N × G entries. Placements at once (and within `maxAgeMs`) on a host
 * now share one listing, the one in flight included.
 *
 * Only guests made outside Proximity can be missed by a listing this old: a VMID so chosen is
 * refused at creation (VmidTakenError, a guest still being created included), the placement forgets
 * the host's listing and chooses another (at most MAX_VMID_CHOICES per attempt, then the next
 * delivery). Proximity's own placements never rely on it: leases and the containers table keep
 * them apart.
 */

export interface GuestVmids {
  /**
   * The host's guest VMIDs: listed lately (or being listed) by another placement, else listed now
   * with `list`, this placement's own connection. A shared listing that fails is not this
   * placement's failure (it ran on the other placement's connection, whose credentials may be
   * older): this placement then lists with its own.
   */
  of(hostId: string, list: () => Promise<readonly number[]>): Promise<ReadonlySet<number>>;
  /** The next placement on `hostId` lists its guests again. */
  forget(hostId: string): void;
  /** Hosts whose listing is kept. */
  size(): number;
}

interface Listing {
  /** When the listing began (monotonic ms): its age counts from then. */
  readonly startedAt: number;
  readonly vmids: Promise<ReadonlySet<number>>;
}

export function createGuestVmids(options: {
  /** Longest a listing is shared; 0 shares none (every placement lists). */
  readonly maxAgeMs: number;
  /** Monotonic clock in ms (tests). */
  readonly now?: () => number;
}): GuestVmids {
  const { maxAgeMs } = options;
  const now = options.now ?? (() => performance.now());
  const listings = new Map<string, Listing>();
  const listNow = (list: () => Promise<readonly number[]>) =>
    list().then((found) => new Set(found) as ReadonlySet<number>);

  function share(hostId: string, list: () => Promise<readonly number[]>): Promise<ReadonlySet<number>> {
    const vmids = listNow(list);
    if (maxAgeMs <= 0) return vmids;
    const mine: Listing = { startedAt: now(), vmids };
    listings.set(hostId, mine);
    const drop = () => {
      if (listings.get(hostId) === mine) listings.delete(hostId);
    };
    // Failed: not shared past its own callers. Done: dropped once too old, so a host no longer
    // placed on (or removed) keeps nothing.
    vmids.then(() => setTimeout(drop, maxAgeMs).unref(), drop);
    return vmids;
  }

  return {
    of(hostId, list) {
      const shared = listings.get(hostId);
      if (shared && now() - shared.startedAt < maxAgeMs) return shared.vmids.catch(() => listNow(list));
      return share(hostId, list);
    },
    forget(hostId) {
      listings.delete(hostId);
    },
    size: () => listings.size,
  };
}
