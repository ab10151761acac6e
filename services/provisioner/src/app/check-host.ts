/**
 * A host check: connect to the host's Proxmox API as deploys do (credentials from the secrets
 * service, in memory only), ask for the version and the nodes under a short deadline, and turn
 * the outcome into a HostChecked report. A host that fails to answer is a result (unreachable with
 * a safe text), not an error: the next check asks again.
 */
import { isTransient, NotFoundError, PermissionDeniedError } from "@proximity/errors";
import type { CallOptions } from "@proximity/grpc";
import type { Logger } from "@proximity/logger";
import type { hostsEventsV1, hostsV1, provisionerEventsV1 } from "@proximity/proto";
import {
  type NodeSummary,
  ProxmoxAuthError,
  ProxmoxTlsError,
  readHostKeyFingerprint,
} from "@proximity/proxmox";
import { isTransportAllowed, type TransportPolicy } from "../domain/host-transport.js";
import type { Peers } from "../infra/peers.js";
import { hostApiClient, readSecret } from "./operations/steps/resolve-connection.js";

export interface HostCheckDeps {
  readonly peers: Peers;
  readonly logger: Logger;
  /** How hosts may be reached (plain HTTP only in development mode). */
  readonly transport: TransportPolicy;
  /** Deadline of each Proxmox call (connect included). */
  readonly timeoutMs: number;
}

/** Texts written here, never copied from Proxmox (its texts may quote internals). */
export const CHECK_ERRORS = {
  noAnswer: "Proxmox host did not answer",
  credentials: "Proxmox rejected the stored credentials",
  permission: "The stored credentials lack a permission on the Proxmox host",
  failed: "Proxmox host check failed",
  tls: "The Proxmox host's TLS certificate was not accepted; set its fingerprint or CA",
  plainHttp:
    "The host is registered for plain HTTP, which would send its credentials in clear; Proximity refuses it outside development mode: give the host a TLS fingerprint or CA",
} as const;

/**
 * @returns the report, or undefined when the host is no longer registered (nothing to report on).
 * Throws only when a peer (hosts, secrets) fails: that is Proximity's problem, not the host's.
 */
export async function checkHost(
  deps: HostCheckDeps,
  request: hostsEventsV1.HostCheckRequested,
  call: CallOptions,
  log: Logger,
): Promise<provisionerEventsV1.HostChecked | undefined> {
  const connection = await deps.peers.hosts
    .getHostConnection({ hostId: request.hostId }, call)
    .catch((err: unknown) => {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    });
  if (!connection?.host) {
    log.info({ hostId: request.hostId, checkId: request.checkId }, "host to check is no longer registered");
    return undefined;
  }
  const base = { checkId: request.checkId, hostId: request.hostId };
  // Refused before the secret is read, and reported like any other reason the host cannot be used.
  if (!isTransportAllowed(connection.host, deps.transport)) {
    log.warn({ hostId: request.hostId, checkId: request.checkId }, "host registered for plain HTTP refused");
    return { ...base, reachable: false, error: CHECK_ERRORS.plainHttp, pveVersion: "", nodes: [] };
  }
  const apiSecret = await readSecret(deps.peers.secrets, connection.apiSecretName, call);
  const pve = hostApiClient(
    { host: connection.host, tlsCaPem: connection.tlsCaPem },
    apiSecret,
    { logger: deps.logger, transport: deps.transport, connectTimeoutMs: deps.timeoutMs },
    { requestTimeoutMs: deps.timeoutMs },
  );
  const hostNodes = connection.host.nodes;
  try {
    const [version, nodes, keys] = await withRetries(() =>
      Promise.all([pve.version(), pve.listNodes(), readPendingHostKeys(hostNodes, deps.timeoutMs, log)]),
    );
    return {
      ...base,
      reachable: true,
      error: "",
      pveVersion: version.version,
      nodes: nodes.map((n) => toNodeReport(n, keys.get(n.node) ?? "")),
    };
  } catch (err) {
    // The error (and its cause) is logged for operators; the report carries only our own text.
    log.warn({ err, hostId: request.hostId, checkId: request.checkId }, "host check failed");
    return { ...base, reachable: false, error: checkError(err), pveVersion: "", nodes: [] };
  } finally {
    await pve.close();
  }
}

/** Tries of a check's calls before the host is reported unreachable. */
export const CHECK_TRIES = 3;

/**
 * One call failing (a 500, a dropped connection, a lost answer) does not make a host unreachable:
 * an unreachable host gets no deploys until the next check, a minute later. A chaos run (20 % of
 * the calls failing) flagged its only host unreachable every few checks and refused most deploys.
 * Refusals that waiting cannot fix (credentials, permissions, TLS) are reported at once.
 */
async function withRetries<T>(check: () => Promise<T>): Promise<T> {
  for (let tried = 1; ; tried++) {
    try {
      return await check();
    } catch (err) {
      const final =
        err instanceof ProxmoxAuthError ||
        err instanceof PermissionDeniedError ||
        err instanceof ProxmoxTlsError;
      if (final || tried >= CHECK_TRIES) throw err;
      await new Promise((r) => setTimeout(r, 200 * tried));
    }
  }
}

function checkError(err: unknown): string {
  if (err instanceof ProxmoxAuthError) return CHECK_ERRORS.credentials;
  if (err instanceof PermissionDeniedError) return CHECK_ERRORS.permission;
  // Before isTransient: a TLS refusal is also "unavailable", but waiting will not fix it.
  if (err instanceof ProxmoxTlsError) return CHECK_ERRORS.tls;
  if (isTransient(err)) return CHECK_ERRORS.noAnswer;
  return CHECK_ERRORS.failed;
}

/**
 * Reads the SSH host key of each node awaiting trust on first use (and only those: a pinned key is
 * never re-read, so it can never be replaced from here). A node that cannot be reached stays
 * unpinned until a later check; the hosts service decides whether to pin what is reported.
 */
async function readPendingHostKeys(
  nodes: readonly hostsV1.Node[],
  timeoutMs: number,
  log: Logger,
): Promise<Map<string, string>> {
  const pending = nodes.filter((n) => n.trustOnFirstUse && n.sshHostKeyFingerprint === "");
  const read = await Promise.all(
    pending.map(async (n) => {
      try {
        return [
          n.name,
          await readHostKeyFingerprint({ host: n.sshHost, port: n.sshPort || 22 }, { timeoutMs }),
        ];
      } catch (err) {
        log.warn(
          { err, node: n.name },
          "could not read the SSH host key of a node awaiting trust on first use",
        );
        return [n.name, ""];
      }
    }),
  );
  return new Map(read as [string, string][]);
}

function toNodeReport(n: NodeSummary, sshHostKeyFingerprint: string): provisionerEventsV1.NodeReport {
  return {
    sshHostKeyFingerprint,
    name: n.node,
    status: n.status,
    cpu: n.cpu ?? 0,
    maxCpu: n.maxcpu ?? 0,
    memBytes: n.mem ?? 0,
    maxMemBytes: n.maxmem ?? 0,
    diskBytes: n.disk ?? 0,
    maxDiskBytes: n.maxdisk ?? 0,
    uptimeSeconds: n.uptime ?? 0,
  };
}
