/**
 * Discovery: every container of every online node of a host as Proxmox lists it, with the app id
 * of Proximity's mark for containers tagged as Proximity's (their description is read for it).
 * A host that does not answer is UNAVAILABLE with our own text, never Proxmox's.
 */
import { isTransient, NotFoundError, UnavailableError, ValidationError } from "@proximity/errors";
import type { CallOptions } from "@proximity/grpc";
import type { Logger } from "@proximity/logger";
import type { provisionerV1 } from "@proximity/proto";
import type { BreakerRegistry, ContainerSummary, ExtendedProxmoxClient } from "@proximity/proxmox";
import { hasProximityTag, markedAppId } from "../domain/container-marker.js";
import type { TransportPolicy } from "../domain/host-transport.js";
import type { Peers } from "../infra/peers.js";
import { onlineNodes, openHostApi } from "./operations/host-api.js";

export interface ListHostContainersDeps {
  readonly peers: Peers;
  readonly logger: Logger;
  readonly breakers: BreakerRegistry;
  /** How hosts may be reached (plain HTTP only in development mode). */
  readonly transport: TransportPolicy;
  /** Deadline of each Proxmox call. */
  readonly timeoutMs: number;
}

export async function listHostContainers(
  deps: ListHostContainersDeps,
  hostId: string,
  call: CallOptions,
  log: Logger,
): Promise<provisionerV1.HostContainer[]> {
  if (!hostId) throw new ValidationError("host_id is required", [{ field: "host_id", message: "required" }]);
  const api = await openHostApi(deps, hostId, call, deps.timeoutMs);
  if (!api) throw new NotFoundError("Host not found");
  try {
    const nodes = await onlineNodes(api);
    const perNode = await Promise.all(nodes.map((n) => nodeContainers(api.pve, n.node)));
    return perNode.flat();
  } catch (err) {
    if (!isTransient(err)) throw err;
    log.warn({ err, hostId }, "host did not answer a container listing");
    throw new UnavailableError(`Proxmox host ${api.host.name} did not answer`);
  } finally {
    await api.pve.close();
  }
}

async function nodeContainers(
  pve: ExtendedProxmoxClient,
  node: string,
): Promise<provisionerV1.HostContainer[]> {
  const listed = await pve.listContainers(node);
  return Promise.all(listed.map(async (ct) => toHostContainer(node, ct, await appIdOf(pve, node, ct))));
}

/** Only tagged containers are asked for their description: the mark lives there. */
async function appIdOf(pve: ExtendedProxmoxClient, node: string, ct: ContainerSummary): Promise<string> {
  if (!hasProximityTag(ct.tags)) return "";
  return markedAppId((await pve.containerConfig(node, ct.vmid)).description) ?? "";
}

function toHostContainer(node: string, ct: ContainerSummary, appId: string): provisionerV1.HostContainer {
  return {
    node,
    vmid: ct.vmid,
    name: ct.name ?? "",
    status: ct.status,
    cores: ct.cpus ?? 0,
    maxMemBytes: ct.maxmem ?? 0,
    maxDiskBytes: ct.maxdisk ?? 0,
    tags: ct.tags ?? "",
    proximityAppId: appId,
  };
}
