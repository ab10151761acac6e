/**
 * Containers a simulator starts with (scale benchmarks): `count` running containers spread over the
 * nodes round-robin, VMIDs from 100, configured like the ones Proximity creates, so observations of
 * a large fleet have real work to do without a deploy per container.
 */
import type { Cluster } from "./cluster.js";
import { createContainerRecord, markRunning } from "./container.js";

/** The hostname of seeded container `vmid` (benchmarks name the matching app after it). */
export function seededHostname(vmid: number): string {
  return `app-${vmid}`;
}

/** Adds `count` running containers (VMIDs 100…) to an empty cluster. */
export function seedContainers(cluster: Cluster, count: number): void {
  for (let i = 0; i < count; i++) {
    const vmid = 100 + i;
    const node = cluster.nodes[i % cluster.nodes.length]!;
    const ct = createContainerRecord(
      node,
      vmid,
      {
        hostname: seededHostname(vmid),
        ostype: "debian",
        arch: "amd64",
        cores: 1,
        memory: 512,
        swap: 512,
        rootfs: `local-lvm:vm-${vmid}-disk-0,size=4G`,
        net0: "name=eth0,bridge=vmbr0,ip=dhcp",
        features: "nesting=1",
        unprivileged: 1,
        tags: "proximity",
      },
      false,
    );
    markRunning(ct);
    cluster.add(ct);
  }
}
