/**
 * The VMIDs of the guests on each host as Proxmox last listed them (`GET /cluster/resources?type=vm`),
 * shared by this process's placements for `maxAgeMs`. The listing grows with the host's guests and
 * is fetched and parsed whole; every placement used to fetch its own, so a burst of N placements
 * on a host of G guests parsed N × G entries. Placements at once (and within `maxAgeMs`) on a host
 * now share one listing, the one in flight included.
 *
 * Only guests made outside Proximity can be missed by a listing this old: a VMID so chosen is
 * refused at creation (VmidTakenError), the placement chooses another and forgets the host's
 * listing. Proximity's own placements never rely on it: leases and the containers table keep them
 * apart.
 */

export interface GuestVmids {
  /** The host's guest VMIDs: listed lately (or being listed), else listed now with `list`. */
  of(hostId: string, list: () => Promise<readonly number[]>): Promise<ReadonlySet<number>>;
  /** The next placement on `hostId` lists its guests again. */
  forget(hostId: string): void;
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
  return {
    of(hostId, list) {
      const at = now();
      const shared = listings.get(hostId);
      if (shared && at - shared.startedAt < maxAgeMs) return shared.vmids;
      const vmids = list().then((found) => new Set(found) as ReadonlySet<number>);
      if (maxAgeMs <= 0) {
        listings.delete(hostId);
        return vmids;
      }
      const mine: Listing = { startedAt: at, vmids };
      listings.set(hostId, mine);
      // A failed listing is not shared past its own callers: the next placement lists again.
      vmids.catch(() => {
        if (listings.get(hostId) === mine) listings.delete(hostId);
      });
      return vmids;
    },
    forget(hostId) {
      listings.delete(hostId);
    },
  };
}
