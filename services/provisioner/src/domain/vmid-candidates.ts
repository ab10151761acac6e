/** Highest VMID Proxmox accepts. */
export const MAX_VMID = 999_999_999;

/**
 * VMIDs to try for a new container, in order: from `start` (Proxmox's `/cluster/nextid`
 * suggestion) upwards, skipping every id `skip` refuses (guests the host already has, ids
 * Proximity holds in its journal, ids abandoned earlier in this operation, ids another placement
 * is trying). At most `count` candidates; `skip` is asked for each id only when the walk reaches
 * it, so what it knows may change as the candidates are tried.
 * @example [...vmidCandidates(100, (id) => id === 101, 3)] // [100, 102, 103]
 */
export function* vmidCandidates(
  start: number,
  skip: (id: number) => boolean,
  count: number,
): Generator<number, void, undefined> {
  let given = 0;
  for (let id = Math.max(100, start); id <= MAX_VMID && given < count; id++) {
    if (skip(id)) continue;
    given++;
    yield id;
  }
}
