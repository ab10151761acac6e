/**
 * One observation of one host: its online nodes, and for each node GET /nodes/{node}/lxc once,
 * published as ContainersObserved (a snapshot event, straight to JetStream: an observation changes
 * nothing in the provisioner's database, so the outbox would buy nothing), then its backup
 * storages' archives (observe-backups.ts, BackupsObserved). A host or node that does not answer
 * publishes nothing (consumers must conclude nothing from silence), and neither does a node whose
 * observation JetStream did not acknowledge: it is logged and counted as not observed. Cost per
 * host: one node listing, one call and one publish per online node (plus the storages every few
 * rounds), whatever the number of other hosts.
 */
import type { SnapshotPublisher } from "@proximity/bus";
import type { Logger } from "@proximity/logger";
import type { provisionerEventsV1 } from "@proximity/proto";
import type { ContainerSummary } from "@proximity/proxmox";
import type { TransportPolicy } from "../../domain/host-transport.js";
import { publishContainersObserved } from "../../events/publish.js";
import type { Peers } from "../../infra/peers.js";
import { mapLimit } from "../map-limit.js";
import { type HostApi, onlineNodes } from "../operations/host-api.js";
import { observeNodeBackups } from "./observe-backups.js";

export interface ObserveDeps {
  /** Where observations are published (snapshot events, no outbox). */
  readonly snapshots: SnapshotPublisher;
  readonly peers: Peers;
  readonly logger: Logger;
  /** How hosts may be reached (plain HTTP only in development mode). */
  readonly transport: TransportPolicy;
  /** Deadline of each Proxmox call. */
  readonly timeoutMs: number;
  /** Nodes of the host listed at once. */
  readonly nodeConcurrency: number;
  /** A storage with more Proximity archives than this is not reported (one event stays publishable). */
  readonly maxArchivesPerStorage: number;
}

/** What observing one host needs besides its client. */
export type HostObservationDeps = Pick<
  ObserveDeps,
  "snapshots" | "nodeConcurrency" | "maxArchivesPerStorage"
>;

/**
 * Observes one host through `api` (the caller owns the client: the loop keeps one per host).
 * @returns the number of nodes observed (answered and published); throws when the host did not
 * answer (nothing published).
 */
export async function observeHost(
  deps: HostObservationDeps,
  api: HostApi,
  traceparent: string,
  log: Logger,
  /** List the backup storages too (every few rounds: content listings cost more than a node's containers). */
  options: { readonly backups: boolean } = { backups: true },
): Promise<number> {
  const hostId = api.host.id;
  let observed = 0;
  const nodes = await onlineNodes(api);
  await mapLimit(nodes, deps.nodeConcurrency, async ({ node }) => {
    let containers: ContainerSummary[];
    try {
      containers = await api.pve.listContainers(node);
    } catch (err) {
      log.info({ err, hostId, node }, "node did not answer; nothing observed");
      return;
    }
    const report: provisionerEventsV1.ContainersObserved = {
      hostId,
      node,
      observedAt: new Date(),
      containers: containers.map(toObservation),
    };
    try {
      await publishContainersObserved(deps.snapshots, report, traceparent);
    } catch (err) {
      // NATS down or slow: the next round observes it again. Its storages are left for then too
      // (their publishes would most likely wait and fail the same way).
      log.warn({ err, hostId, node }, "observation of the node was not published; node not observed");
      return;
    }
    observed++;
    if (options.backups) await observeNodeBackups(deps, api, node, traceparent, log);
  });
  return observed;
}

function toObservation(ct: ContainerSummary): provisionerEventsV1.ContainerObservation {
  return {
    vmid: ct.vmid,
    name: ct.name ?? "",
    status: ct.status,
    cpu: ct.cpu ?? 0,
    memBytes: ct.mem ?? 0,
    maxMemBytes: ct.maxmem ?? 0,
    diskBytes: ct.disk ?? 0,
    maxDiskBytes: ct.maxdisk ?? 0,
    uptimeSeconds: ct.uptime ?? 0,
    tags: ct.tags ?? "",
  };
}
