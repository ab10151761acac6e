/**
 * Step 1: how to reach the host. The hosts service says where the host and node are and names the
 * secrets (its record, kept by this process until the host changes: host-records.ts); the secrets
 * service gives their values, read once per host session (host-sessions.ts). Nothing fetched here
 * is logged, stored or put into events: it lives in memory only. A host the provisioner may not
 * reach as registered (plain HTTP outside development) is refused before any secret is read.
 */
import { NotFoundError, ValidationError } from "@proximity/errors";
import type { CallOptions } from "@proximity/grpc";
import type { Logger } from "@proximity/logger";
import { hostsV1 } from "@proximity/proto";
import {
  type BreakerRegistry,
  createProxmoxClient,
  type ExtendedProxmoxClient,
  type ProxmoxAuth,
  type SshAuth,
} from "@proximity/proxmox";
import { type Tracer, traceIdOf } from "@proximity/telemetry";
import {
  assertTransportAllowed,
  hostApiBaseUrl,
  type TransportPolicy,
} from "../../../domain/host-transport.js";
import { hostRecordDrops, hostRecordReads, hostSessionUses } from "../../../infra/metrics.js";
import type { SecretsClient } from "../../../infra/peers.js";
import type { HostConnection, OperationDeps } from "../context.js";
import { HostKeyNotPinnedError } from "../errors.js";
import type { HostRecordUse } from "../host-records.js";

/** Proxmox's default directory storage, which holds backups on a fresh install. */
const DEFAULT_BACKUP_STORAGE = "local";

export async function resolveConnection(
  deps: OperationDeps,
  /** The operation's id, when there is one, goes into the secrets service's access audit. */
  target: { hostId: string; node: string; operationId?: string },
  call: CallOptions,
): Promise<HostConnection> {
  const { hostId } = target;
  const read = () => {
    hostRecordReads.inc();
    return deps.peers.hosts.getHostConnection({ hostId }, call);
  };
  const use = await deps.hostRecords.get(hostId, read);
  if (use.kept) {
    // A record kept from an earlier operation may predate a change whose event is still on its
    // way: whatever it refuses (a node it does not list, a key it has not pinned) or would need
    // new credentials for is decided again on the record as it is now.
    const connection = await connect(deps, target, use, call).catch((err: unknown) => {
      hostRecordDrops.inc({ reason: "kept record refused" });
      deps.logger.debug(
        { hostId, node: target.node, operationId: target.operationId, refusal: (err as Error).name },
        "refused on the host's kept record; reading it again",
      );
      return undefined;
    });
    if (connection) return connection;
  }
  const fresh = use.kept ? await deps.hostRecords.refresh(hostId, read) : use;
  try {
    return await connect(deps, target, fresh, call);
  } catch (err) {
    dropRecord(deps, hostId);
    throw err;
  }
}

/** Thrown by connect() when a kept record would need a session of its own. */
class KeptRecordNeedsSession extends Error {}

async function connect(
  deps: OperationDeps,
  target: { hostId: string; node: string; operationId?: string },
  { record, kept }: HostRecordUse,
  call: CallOptions,
): Promise<HostConnection> {
  const { host } = record;
  if (!host) throw new NotFoundError(`Host ${target.hostId} is not registered`);
  const node = nodeOf(host, target.node);
  // Checked before any secret is read: no credential for a host reached in clear, nothing sent to
  // a node whose key nobody has pinned.
  assertTransportAllowed(host, deps.transport);
  if (node.sshHostKeyFingerprint === "") throw new HostKeyNotPinnedError(node.name);
  // The host's client and credentials, shared with this process's other operations while the
  // record is unchanged (host-sessions.ts). Credentials are read for a record read just now only:
  // the host's credentials may have been replaced with its address.
  const hostRecord = { ...record, host };
  const session = kept
    ? await deps.hostSessions.join(hostRecord)
    : await deps.hostSessions.acquire(hostRecord, () =>
        openHostSession(deps, hostRecord, target.operationId, call),
      );
  if (!session) throw new KeptRecordNeedsSession();
  hostSessionUses.inc({ session: session.reused ? "reused" : "opened" });
  return {
    hostName: host.name,
    backupStorage: host.backupStorage || DEFAULT_BACKUP_STORAGE,
    pve: session.pve,
    sshTarget: {
      host: node.sshHost,
      port: node.sshPort || 22,
      username: host.sshUsername || "root",
      auth: session.sshAuth,
      hostKeyFingerprint: node.sshHostKeyFingerprint,
    },
    reusedCredentials: session.reused,
    keptRecord: kept,
    close: (options) => {
      // After a failed attempt the record is read again too (the host may have moved).
      if (options?.discard) dropRecord(deps, target.hostId);
      return session.release(options);
    },
  };
}

function dropRecord(deps: OperationDeps, hostId: string): void {
  if (deps.hostRecords.forget(hostId)) hostRecordDrops.inc({ reason: "attempt failed" });
}

function nodeOf(host: hostsV1.Host, name: string): hostsV1.Node {
  const node = host.nodes.find((n) => n.name === name);
  if (!node) throw new NotFoundError(`Node ${name} is not registered on host ${host.name}`);
  return node;
}

/**
 * What a new host session holds: the host's API client and SSH credentials, both secrets read
 * (and audited under the operation that opened the session).
 */
async function openHostSession(
  deps: OperationDeps,
  record: hostsV1.GetHostConnectionResponse & { host: hostsV1.Host },
  operationId: string | undefined,
  call: CallOptions,
): Promise<{ pve: ExtendedProxmoxClient; sshAuth: SshAuth }> {
  const { host } = record;
  deps.logger.info(
    { hostId: host.id, operationId, traceId: traceIdOf(call.traceparent) },
    "opening a host session: reading the host's credentials",
  );
  const [apiSecret, sshSecret] = await Promise.all([
    readSecret(deps.peers.secrets, record.apiSecretName, call, operationId),
    readSecret(deps.peers.secrets, record.sshSecretName, call, operationId),
  ]);
  const sshAuthOfHost = sshAuth(sshSecret);
  const pve = hostApiClient({ host, tlsCaPem: record.tlsCaPem }, apiSecret, {
    logger: deps.logger,
    breakers: deps.breakers,
    transport: deps.transport,
    ...(deps.tracer ? { tracer: deps.tracer } : {}),
  });
  return { pve, sshAuth: sshAuthOfHost };
}

/**
 * A secret's value as text; kept in memory by the caller for one attempt, never logged. The
 * operation id (when the read is part of one) is recorded in the secrets service's access audit.
 */
export async function readSecret(
  secrets: SecretsClient,
  name: string,
  call: CallOptions,
  operationId?: string,
): Promise<string> {
  return (await secrets.getSecret({ name, ...(operationId ? { operationId } : {}) }, call)).value.toString(
    "utf8",
  );
}

/**
 * A Proxmox API client for a registered host (shared by deploys and host checks). Deploys pass the
 * process-wide breakers; a host check passes none and limits, so it sees the host as it is now.
 * Callers check the transport before reading the secret; it is checked again here, where the URL
 * the secret will travel to is made.
 */
export function hostApiClient(
  { host, tlsCaPem }: { host: hostsV1.Host; tlsCaPem: string },
  apiSecret: string,
  deps: {
    logger: Logger;
    transport: TransportPolicy;
    breakers?: BreakerRegistry;
    connectTimeoutMs?: number;
    tracer?: Tracer;
  },
  limits: { requestTimeoutMs?: number } = {},
): ExtendedProxmoxClient {
  const { transport, ...clientDeps } = deps;
  assertTransportAllowed(host, transport);
  return createProxmoxClient(
    {
      baseUrl: hostApiBaseUrl(host),
      auth: proxmoxAuth(host, apiSecret),
      // A pinned certificate or a host CA (hosts allows only one); neither = the system CAs.
      tls: host.tlsFingerprint ? { fingerprint: host.tlsFingerprint } : tlsCaPem ? { ca: tlsCaPem } : {},
      breakerKey: host.id,
      ...limits,
    },
    clientDeps,
  );
}

function proxmoxAuth(host: hostsV1.Host, secret: string): ProxmoxAuth {
  return host.authMode === hostsV1.AuthMode.AUTH_MODE_API_TOKEN
    ? { kind: "token", tokenId: host.username, secret }
    : { kind: "password", username: host.username, password: secret };
}

/** The SSH secret is JSON `{"password"?, "privateKey"?}`; a key wins over a password. */
function sshAuth(secret: string): SshAuth {
  let parsed: { password?: unknown; privateKey?: unknown };
  try {
    parsed = JSON.parse(secret) as typeof parsed;
  } catch {
    // The parse error would quote the secret: keep it out of the cause.
    throw new ValidationError("The host's SSH credentials are not valid JSON");
  }
  if (typeof parsed.privateKey === "string" && parsed.privateKey !== "") {
    return { kind: "key", privateKey: parsed.privateKey };
  }
  if (typeof parsed.password === "string" && parsed.password !== "") {
    return { kind: "password", password: parsed.password };
  }
  throw new ValidationError("The host's SSH credentials hold neither a private key nor a password");
}
