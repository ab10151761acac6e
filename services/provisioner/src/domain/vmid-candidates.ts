/** Highest VMID Proxmox accepts. */
export const MAX_VMID = 999_999_999;

/**
 * VMIDs to try for a new container, in order: from `start` (Proxmox's `/cluster/nextid`
 * suggestion) upwards, skipping every id in `taken` (guests the host already has, ids Proximity
 * holds in its journal, ids abandoned earlier in this operation). At most `count` candidates.
 * @example vmidCandidates(100, new Set([101]), 3) // [100, 102, 103]
 */
export function vmidCandidates(start: number, taken: ReadonlySet<number>, count: number): number[] {
  const out: number[] = [];
  for (let id = Math.max(100, start); id <= MAX_VMID && out.length < count; id++) {
    if (!taken.has(id)) out.push(id);
  }
  return out;
}
