/**
 * Snapshot bookkeeping of one container, as PVE::AbstractConfig does it: the current config's
 * `parent` names the newest snapshot below it, each snapshot names its own parent, and deleting a
 * snapshot re-parents its children. Name rules and error texts are PVE's.
 */
import { die } from "../errors.js";
import type { ContainerRecord, SnapshotRecord } from "./container.js";
import { copyGuest, replaceGuest } from "./guest.js";

const RESERVED = new Set(["current", "vzdump"]);

/** Dies unless `name` may be used for a new snapshot of `ct`. */
export function assertNewSnapshotName(ct: ContainerRecord, name: string): void {
  if (RESERVED.has(name)) throw die(`unable to use snapshot name '${name}' (reserved name)`);
  if (ct.snapshots.has(name)) throw die(`snapshot name '${name}' already used`);
}

/** The snapshot, or PVE's `snapshot 'x' does not exist`. */
export function getSnapshot(ct: ContainerRecord, name: string): SnapshotRecord {
  const snap = ct.snapshots.get(name);
  if (!snap) throw die(`snapshot '${name}' does not exist`);
  return snap;
}

/** Records the current state as snapshot `name` and makes it the parent of the current state. */
export function takeSnapshot(ct: ContainerRecord, name: string, description: string): void {
  const parent = currentParent(ct);
  const { parent: _p, ...config } = ct.config;
  ct.snapshots.set(name, {
    description,
    snaptime: Math.floor(Date.now() / 1000),
    config,
    guest: copyGuest(ct.guest, ct.vmid),
    parent,
  });
  ct.config.parent = name;
}

/** Removes snapshot `name`; its children (and the current state) inherit its parent. */
export function removeSnapshot(ct: ContainerRecord, name: string): void {
  const snap = getSnapshot(ct, name);
  for (const other of ct.snapshots.values()) if (other.parent === name) other.parent = snap.parent;
  if (ct.config.parent === name) setParent(ct, snap.parent);
  ct.snapshots.delete(name);
}

/** Puts config and guest contents back to snapshot `name`; the CT is stopped by the caller. */
export function rollbackTo(ct: ContainerRecord, name: string): void {
  const snap = getSnapshot(ct, name);
  for (const key of Object.keys(ct.config)) delete ct.config[key];
  Object.assign(ct.config, snap.config);
  setParent(ct, name);
  replaceGuest(ct.guest, snap.guest);
}

export function currentParent(ct: ContainerRecord): string | undefined {
  return ct.config.parent === undefined ? undefined : String(ct.config.parent);
}

function setParent(ct: ContainerRecord, parent: string | undefined): void {
  if (parent === undefined) delete ct.config.parent;
  else ct.config.parent = parent;
}
