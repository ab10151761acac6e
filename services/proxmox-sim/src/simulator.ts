/**
 * createProxmoxSimulator(): wires the cluster state, tasks, storages, faults, the HTTP API server
 * and one SSH server per node behind the ProxmoxSimulator handle.
 */
import type {
  ProxmoxSimulator,
  RunningSimulator,
  SimCommand,
  SimContainer,
  SimGuestFile,
  SimRequestCounts,
  SimulatorOptions,
} from "./api.js";
import { createFaultRegistry } from "./faults.js";
import { type AdminServer, createAdminServer } from "./http/admin-server.js";
import { createAuthenticator } from "./http/auth.js";
import { ROUTES } from "./http/routes/index.js";
import { type ApiServer, createApiServer } from "./http/server.js";
import type { SimContext } from "./sim-context.js";
import { createNodeSshServer, type NodeSshServer } from "./ssh/server.js";
import { createCluster } from "./state/cluster.js";
import { seedContainers } from "./state/seed.js";
import { createStorageState } from "./state/storage.js";
import { createTaskRegistry } from "./state/tasks.js";

/**
 * Creates a simulator (nothing listens until `start()`).
 * @example
 * const sim = createProxmoxSimulator({ httpPort: 0, tokens: [{ tokenId: "root@pam!t", secret: "s" }] });
 * const { baseUrl, nodes } = await sim.start();
 */
export function createProxmoxSimulator(options: SimulatorOptions = {}): ProxmoxSimulator {
  return new ProxmoxSimulatorImpl(options);
}

class ProxmoxSimulatorImpl implements ProxmoxSimulator {
  readonly #options: SimulatorOptions;
  readonly #sim: SimContext;
  readonly #api: ApiServer;
  readonly #admin: AdminServer;
  readonly #ssh: NodeSshServer[];
  #hostDown = false;
  #wrongHostKey = false;
  #running: RunningSimulator | undefined;

  constructor(options: SimulatorOptions) {
    this.#options = options;
    const nodes = options.nodes && options.nodes.length > 0 ? options.nodes : ["pve1"];
    const faults = createFaultRegistry();
    this.#sim = {
      cluster: createCluster(options.clusterName ?? "sim", nodes),
      tasks: createTaskRegistry(options.taskDurationMs ?? 100),
      storage: createStorageState(nodes),
      faults,
      auth: createAuthenticator({ tokens: options.tokens ?? [], users: options.users ?? [] }),
      commands: [],
      counts: { api: new Map(), commands: 0 },
    };
    seedContainers(this.#sim.cluster, options.containers ?? 0);
    const isHostDown = () => this.#hostDown;
    this.#api = createApiServer({
      sim: this.#sim,
      routes: ROUTES,
      authFailureDelayMs: options.authFailureDelayMs ?? 0,
      isHostDown,
      tls: options.tls,
    });
    this.#admin = createAdminServer({
      faults,
      setHostDown: (down) => this.setHostDown(down),
      setWrongHostKey: (wrong) => this.setWrongHostKey(wrong),
      containers: () => this.containers(),
      commandLog: (node) => this.commandLog(node),
      counts: () => this.counts(),
      guestFile: (vmid, path) => this.guestFile(vmid, path),
      removeVolume: (volid, node) => this.removeVolume(volid, node),
    });
    const login = options.ssh ?? { username: "root" };
    this.#ssh = nodes.map((node) =>
      createNodeSshServer({
        node,
        sim: this.#sim,
        login,
        isHostDown,
        isWrongHostKey: () => this.#wrongHostKey,
        hostKey: options.hostKeys?.[node],
        commandDurationMs: options.commandDurationMs ?? 0,
      }),
    );
  }

  async start(): Promise<RunningSimulator> {
    if (this.#running) return this.#running;
    const host = this.#options.host ?? "127.0.0.1";
    const httpPort = await this.#api.listen(host, this.#options.httpPort ?? 8006);
    const base = this.#options.sshPort ?? 0;
    const nodes = [];
    for (const [i, server] of this.#ssh.entries()) {
      const sshPort = await server.listen(host, base === 0 ? 0 : base + i);
      nodes.push({
        name: this.#sim.cluster.nodes[i]!,
        sshHost: host,
        sshPort,
        hostKeyFingerprint: server.fingerprint,
      });
    }
    const scheme = this.#options.tls ? "https" : "http";
    const admin = this.#options.admin === false ? undefined : (this.#options.admin ?? {});
    const adminHost = admin?.host ?? "127.0.0.1";
    const adminPort = admin ? await this.#admin.listen(adminHost, admin.port ?? 0) : undefined;
    this.#running = {
      baseUrl: `${scheme}://${urlHost(host)}:${httpPort}`,
      ...(admin ? { adminUrl: `http://${urlHost(adminHost)}:${adminPort}` } : {}),
      nodes,
    };
    return this.#running;
  }

  async stop(): Promise<void> {
    this.#sim.tasks.stop();
    await Promise.all([this.#api.close(), this.#admin.close(), ...this.#ssh.map((s) => s.close())]);
    this.#running = undefined;
  }

  addFault(spec: Parameters<ProxmoxSimulator["addFault"]>[0]): string {
    return this.#sim.faults.add(spec);
  }

  removeFault(id: string): void {
    this.#sim.faults.remove(id);
  }

  clearFaults(): void {
    this.#sim.faults.clear();
  }

  setHostDown(down: boolean): void {
    this.#hostDown = down;
    if (!down) return;
    // Open keep-alive connections die with the host, not just new ones.
    this.#api.dropConnections();
    for (const s of this.#ssh) s.dropConnections();
  }

  setWrongHostKey(wrong: boolean): void {
    this.#wrongHostKey = wrong;
  }

  containers(): SimContainer[] {
    return this.#sim.cluster.list().map((ct) => ({
      node: ct.node,
      vmid: ct.vmid,
      hostname: String(ct.config.hostname ?? ""),
      status: ct.status,
      tags: String(ct.config.tags ?? ""),
      description: String(ct.config.description ?? ""),
      ...(ct.lock ? { lock: ct.lock } : {}),
    }));
  }

  counts(): SimRequestCounts {
    return { api: Object.fromEntries(this.#sim.counts.api), commands: this.#sim.counts.commands };
  }

  commandLog(node?: string): SimCommand[] {
    return this.#sim.commands.filter((c) => node === undefined || c.node === node).map((c) => ({ ...c }));
  }

  removeVolume(volid: string, node?: string): boolean {
    const nodes = node === undefined ? this.#sim.cluster.nodes : [node];
    return nodes.map((n) => this.#sim.storage.remove(n, volid)).some(Boolean);
  }

  guestFile(vmid: number, path: string): SimGuestFile | undefined {
    const guest = this.#sim.cluster.find(vmid)?.guest;
    const content = guest?.files.get(path);
    if (!guest || content === undefined) return undefined;
    return { content, mode: guest.modes.get(path) ?? 0o644 };
  }
}

/** A host as it goes into a URL (IPv6 literals in brackets). */
function urlHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}
