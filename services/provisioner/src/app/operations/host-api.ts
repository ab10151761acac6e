/**
 * A Proxmox API client for a registered host, for read-only work that needs no node SSH access
 * (container listings, observations). Credentials as for operations: names from the hosts service,
 * values from the secrets service, kept in memory only.
 */
import type { CallOptions } from "@proximity/grpc";
import type { Logger } from "@proximity/logger";
import type { hostsV1 } from "@proximity/proto";
import type { BreakerRegistry, ExtendedProxmoxClient, NodeSummary } from "@proximity/proxmox";
import { assertTransportAllowed, type TransportPolicy } from "../../domain/host-transport.js";
import type { Peers } from "../../infra/peers.js";
import { hostApiClient, readSecret } from "./steps/resolve-connection.js";

export interface HostApi {
  readonly host: hostsV1.Host;
  readonly pve: ExtendedProxmoxClient;
}

export async function openHostApi(
  deps: { peers: Peers; logger: Logger; transport: TransportPolicy; breakers?: BreakerRegistry },
  hostId: string,
  call: CallOptions,
  timeoutMs: number,
): Promise<HostApi | undefined> {
  const connection = await deps.peers.hosts.getHostConnection({ hostId }, call);
  if (!connection.host) return undefined;
  // Before the secret is read: it must not even leave the secrets service for a host reached in clear.
  assertTransportAllowed(connection.host, deps.transport);
  const secret = await readSecret(deps.peers.secrets, connection.apiSecretName, call);
  const pve = hostApiClient(
    { host: connection.host, tlsCaPem: connection.tlsCaPem },
    secret,
    {
      logger: deps.logger,
      transport: deps.transport,
      connectTimeoutMs: timeoutMs,
      ...(deps.breakers ? { breakers: deps.breakers } : {}),
    },
    { requestTimeoutMs: timeoutMs },
  );
  return { host: connection.host, pve };
}

/** The host's nodes that are online (the only ones asked for their containers). */
export async function onlineNodes(api: HostApi): Promise<NodeSummary[]> {
  return (await api.pve.listNodes()).filter((n) => n.status === "online");
}
