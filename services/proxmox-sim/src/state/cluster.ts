/**
 * The in-memory cluster: nodes and their containers. VMIDs are unique across all nodes, as pmxcfs
 * guarantees by refusing a second `<vmid>.conf` anywhere in /etc/pve/nodes.
 */
import { die, PveError } from "../errors.js";
import type { ContainerRecord } from "./container.js";

export interface Cluster {
  readonly name: string;
  readonly nodes: readonly string[];
  /** Dies like pveproxy does when asked to proxy to a node that is not in the cluster. */
  assertNode(node: string): void;
  /** The container with this id on any node. */
  find(vmid: number): ContainerRecord | undefined;
  /** The container on `node`, or the PVE "config does not exist" error. */
  get(node: string, vmid: number): ContainerRecord;
  /** Claims `vmid` on `node`; dies `CT N already exists on node 'x'` if taken anywhere. */
  add(ct: ContainerRecord): void;
  remove(vmid: number): void;
  list(node?: string): ContainerRecord[];
  /** First id ≥ 100 no guest uses (a suggestion only, nothing is reserved). */
  nextFreeId(): number;
}

/** Creates an empty cluster with the given node names. */
export function createCluster(name: string, nodes: readonly string[]): Cluster {
  return new ClusterImpl(name, nodes);
}

/** The text of the 500 for a CT that is not on `node` (unknown, or on another node). */
export function missingConfigMessage(node: string, vmid: number): string {
  return `Configuration file 'nodes/${node}/lxc/${vmid}.conf' does not exist`;
}

class ClusterImpl implements Cluster {
  readonly name: string;
  readonly nodes: readonly string[];
  readonly #containers = new Map<number, ContainerRecord>();

  constructor(name: string, nodes: readonly string[]) {
    this.name = name;
    this.nodes = [...nodes];
  }

  assertNode(node: string): void {
    if (!this.nodes.includes(node)) {
      // pveproxy resolves the target node before proxying; an unknown name fails the lookup.
      throw new PveError(
        500,
        `hostname lookup '${node}' failed - failed to get address info for: ${node}: Name or service not known`,
      );
    }
  }

  find(vmid: number): ContainerRecord | undefined {
    return this.#containers.get(vmid);
  }

  get(node: string, vmid: number): ContainerRecord {
    const ct = this.#containers.get(vmid);
    if (!ct || ct.node !== node) throw die(missingConfigMessage(node, vmid));
    return ct;
  }

  add(ct: ContainerRecord): void {
    const existing = this.#containers.get(ct.vmid);
    if (existing) throw die(`CT ${ct.vmid} already exists on node '${existing.node}'`);
    this.#containers.set(ct.vmid, ct);
  }

  remove(vmid: number): void {
    this.#containers.delete(vmid);
  }

  list(node?: string): ContainerRecord[] {
    const all = [...this.#containers.values()].sort((a, b) => a.vmid - b.vmid);
    return node === undefined ? all : all.filter((ct) => ct.node === node);
  }

  nextFreeId(): number {
    let id = 100;
    while (this.#containers.has(id)) id++;
    return id;
  }
}
