import { X509Certificate } from "node:crypto";
import { NotFoundError } from "@proximity/errors";
import type { hostsV1 } from "@proximity/proto";
import type { Behaviour } from "./fake-applications.js";
import { sampleHost } from "./samples.js";

type Host = hostsV1.Host;

/** The result the next host check records (what the provisioner would report). */
export interface CheckOutcome {
  readonly pveVersion?: string;
  readonly error?: string;
}

/**
 * The fake hosts service's state: hosts created or seeded, and the last check of each. Like the
 * real service it keeps the CA PEM to itself and shows only its SHA-256 fingerprint.
 */
export interface FakeHostStore {
  seed(overrides?: Partial<Host>): Host;
  get(id: string): Host | undefined;
  /** What the next CheckHost records on the host (default: a healthy PVE 9.1.3). */
  nextCheck(outcome: CheckOutcome): void;
  /** What a check records now. */
  checkOutcome(): CheckOutcome;
  clear(): void;
}

export function createFakeHostStore(): FakeHostStore {
  const hosts = new Map<string, Host>();
  let outcome: CheckOutcome = { pveVersion: "9.1.3" };
  return {
    seed(overrides = {}) {
      const host = sampleHost(overrides);
      hosts.set(host.id, host);
      return host;
    },
    get: (id) => hosts.get(id),
    nextCheck(next) {
      outcome = next;
    },
    checkOutcome: () => outcome,
    clear() {
      hosts.clear();
      outcome = { pveVersion: "9.1.3" };
    },
  };
}

function caFingerprint(pem: string): string {
  return pem ? new X509Certificate(pem).fingerprint256 : "";
}

function nodesOf(hostId: string, endpoints: hostsV1.NodeEndpoint[]): hostsV1.Node[] {
  return endpoints.map((n) => ({
    hostId,
    name: n.name,
    status: "unknown",
    sshHost: n.sshHost,
    sshPort: n.sshPort,
    sshHostKeyFingerprint: n.sshHostKeyFingerprint,
    // Pending until the first check pins the key the node presents.
    trustOnFirstUse: n.trustOnFirstUse && n.sshHostKeyFingerprint === "",
    cpu: 0,
    memBytes: 0,
    maxMemBytes: 0,
    updatedAt: new Date(),
  }));
}

function found(store: FakeHostStore, id: string): Host {
  const host = store.get(id);
  if (!host) throw new NotFoundError("Host not found");
  return host;
}

/** The fake HostsService RPCs, answering from the store. */
export function hostsBehaviours(store: FakeHostStore): Record<string, Behaviour> {
  return {
    createHost: async (req: hostsV1.CreateHostRequest) => {
      const host = store.seed({
        name: req.name,
        address: req.address,
        port: req.port,
        authMode: req.authMode,
        username: req.username,
        tlsFingerprint: req.tlsFingerprint,
        tlsCaFingerprint: caFingerprint(req.tlsCaPem),
        insecureHttp: req.insecureHttp,
        sshUsername: req.sshUsername,
        backupStorage: req.backupStorage || "local",
        status: "unknown",
      });
      return { host: store.seed({ ...host, nodes: nodesOf(host.id, req.nodes) }) };
    },
    listHosts: async () => ({ items: [sampleHost()] }),
    getHost: async (req: hostsV1.GetHostRequest) => ({ host: found(store, req.id) }),
    deleteHost: async (req: hostsV1.DeleteHostRequest) => {
      found(store, req.id);
      return {};
    },
    updateHost: async (req: hostsV1.UpdateHostRequest) => {
      const host = found(store, req.id);
      return {
        host: store.seed({
          ...host,
          address: req.address || host.address,
          port: req.port || host.port,
          tlsCaFingerprint: req.tlsCaPem ? caFingerprint(req.tlsCaPem) : host.tlsCaFingerprint,
          backupStorage: req.backupStorage || host.backupStorage,
          nodes: req.nodes.length ? nodesOf(host.id, req.nodes) : host.nodes,
        }),
      };
    },
    checkHost: async (req: hostsV1.CheckHostRequest) => {
      const host = found(store, req.id);
      const result = store.checkOutcome();
      store.seed({
        ...host,
        lastCheckedAt: new Date(),
        pveVersion: result.pveVersion,
        lastCheckError: result.error,
        status: result.error ? "offline" : "online",
      });
      return { checkId: "7d0b7c3e-0000-4000-8000-000000000001" };
    },
    listNodes: async () => ({ items: sampleHost().nodes }),
    resolvePlacement: async (req: hostsV1.ResolvePlacementRequest) => ({
      hostId: req.hostId,
      node: req.node,
    }),
    getHostConnection: async () => ({ host: sampleHost(), apiSecretName: "", sshSecretName: "" }),
  };
}
