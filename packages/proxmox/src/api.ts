/**
 * The public surface of @proximity/proxmox: a Proxmox VE API client and an SSH executor for
 * commands inside containers. Used only by the provisioner (the only holder of credentials).
 * Implementations live beside this file; this file is the contract the provisioner codes against.
 */

/** How the client authenticates. API tokens are recommended. */
export type ProxmoxAuth =
  | { readonly kind: "token"; readonly tokenId: string; readonly secret: string } // tokenId = user@realm!id
  | { readonly kind: "password"; readonly username: string; readonly password: string };

/** TLS policy for https hosts. Verification is on unless `insecure` is explicitly set (and logged). */
export interface ProxmoxTls {
  /** Pinned SHA-256 fingerprint of the server certificate ("AB:CD:…", case-insensitive). */
  readonly fingerprint?: string;
  /** PEM CA bundle to verify against. */
  readonly ca?: string;
  /** Skip verification entirely (explicit, logged at warn). */
  readonly insecure?: boolean;
}

export interface ProxmoxClientOptions {
  /** e.g. "https://pve.example:8006" (the client appends /api2/json). http:// only for simulators. */
  readonly baseUrl: string;
  readonly auth: ProxmoxAuth;
  readonly tls?: ProxmoxTls;
  /** Per-request timeout, default 15 000 ms. */
  readonly requestTimeoutMs?: number;
  /** Key of the circuit breaker (usually the host id); breakers are shared per key. */
  readonly breakerKey?: string;
}

/** `{ upid }` returned by async calls; await it with `waitForTask`. */
export type Upid = string;

export interface TaskStatus {
  readonly upid: Upid;
  readonly node: string;
  readonly status: "running" | "stopped";
  /** Only when stopped: "OK", "WARNINGS: n", or the error text. */
  readonly exitstatus?: string;
  readonly type: string;
  readonly id?: string;
}

export interface WaitForTaskOptions {
  /** Overall deadline, default 10 minutes. */
  readonly timeoutMs?: number;
  /**
   * First poll interval, default 250 ms, growing by half each poll up to 1 s, or a tenth of the
   * task's age once older, at most `maxIntervalMs` (default 5 000 ms): tasks.ts nextPollInterval.
   */
  readonly intervalMs?: number;
  readonly maxIntervalMs?: number;
  readonly signal?: AbortSignal;
}

export interface NodeSummary {
  readonly node: string;
  readonly status: "online" | "offline" | "unknown";
  readonly cpu?: number;
  readonly maxcpu?: number;
  readonly mem?: number;
  readonly maxmem?: number;
  readonly disk?: number;
  readonly maxdisk?: number;
  readonly uptime?: number;
}

export interface ContainerSummary {
  readonly vmid: number;
  readonly status: "running" | "stopped";
  readonly name?: string;
  readonly cpu?: number;
  readonly cpus?: number;
  readonly mem?: number;
  readonly maxmem?: number;
  readonly disk?: number;
  readonly maxdisk?: number;
  readonly uptime?: number;
  readonly lock?: string;
  readonly tags?: string;
  readonly template?: boolean;
}

export interface ClusterResource {
  readonly id: string;
  readonly type: string;
  readonly node?: string;
  readonly vmid?: number;
  readonly name?: string;
  readonly status?: string;
  readonly tags?: string;
  readonly lock?: string;
}

/** Subset of POST /nodes/{node}/lxc parameters the product uses (names as in the PVE API). */
export interface CreateContainerParams {
  readonly vmid: number;
  readonly ostemplate: string;
  readonly hostname?: string;
  readonly password?: string;
  readonly "ssh-public-keys"?: string;
  readonly cores?: number;
  readonly memory?: number;
  readonly swap?: number;
  readonly rootfs?: string;
  readonly storage?: string;
  readonly net0?: string;
  readonly unprivileged?: boolean;
  readonly features?: string;
  readonly start?: boolean;
  readonly onboot?: boolean;
  readonly tags?: string;
  readonly description?: string;
  readonly nameserver?: string;
  readonly restore?: boolean;
  readonly force?: boolean;
}

/** A typed Proxmox VE API client. Every method has a timeout and goes through the host's breaker. */
export interface ProxmoxClient {
  version(): Promise<{ version: string; release: string; repoid: string }>;
  listNodes(): Promise<NodeSummary[]>;
  nodeStatus(node: string): Promise<Record<string, unknown>>;
  clusterResources(type?: "vm" | "storage" | "node"): Promise<ClusterResource[]>;
  /** Suggests a free VMID (reserves nothing). With `vmid`, checks it: null when taken. */
  nextId(vmid?: number): Promise<number | null>;
  listContainers(node: string): Promise<ContainerSummary[]>;
  createContainer(node: string, params: CreateContainerParams): Promise<Upid>;
  containerConfig(node: string, vmid: number): Promise<Record<string, unknown>>;
  containerStatus(node: string, vmid: number): Promise<ContainerSummary>;
  startContainer(node: string, vmid: number): Promise<Upid>;
  stopContainer(node: string, vmid: number): Promise<Upid>;
  /**
   * Clean shutdown: the task fails when the CT does not stop within `timeoutSeconds` (PVE default 60),
   * unless `forceStop` lets PVE kill it then.
   */
  shutdownContainer(
    node: string,
    vmid: number,
    timeoutSeconds?: number,
    options?: { forceStop?: boolean },
  ): Promise<Upid>;
  rebootContainer(node: string, vmid: number): Promise<Upid>;
  /**
   * Destroys a CT. `purge` also removes it from backup jobs, replication and HA;
   * `destroyUnreferencedDisks` also destroys disks with its VMID that the config does not list.
   */
  deleteContainer(
    node: string,
    vmid: number,
    options?: { force?: boolean; purge?: boolean; destroyUnreferencedDisks?: boolean },
  ): Promise<Upid>;
  taskStatus(node: string, upid: Upid): Promise<TaskStatus>;
  taskLog(node: string, upid: Upid, options?: { start?: number; limit?: number }): Promise<string[]>;
  /** Polls until the task stops; resolves on OK/WARNINGS, rejects with TaskFailedError otherwise. */
  waitForTask(upid: Upid, options?: WaitForTaskOptions): Promise<TaskStatus>;
}

/** Authentication for SSH to a node. */
export type SshAuth =
  | { readonly kind: "password"; readonly password: string }
  | { readonly kind: "key"; readonly privateKey: string; readonly passphrase?: string };

export interface SshTarget {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly auth: SshAuth;
  /** Expected host key, OpenSSH "SHA256:<base64>". A mismatch or absence refuses the connection. */
  readonly hostKeyFingerprint: string;
}

export interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ExecOptions {
  /** Default 60 000 ms; the remote command is killed when it passes. */
  readonly timeoutMs?: number;
  readonly stdin?: string;
}

/** Runs commands on Proxmox nodes over SSH, reusing one connection per node. */
export interface SshExecutor {
  /** Runs a raw command on the node. Resolves with any exit code; rejects on transport errors. */
  exec(target: SshTarget, command: string, options?: ExecOptions): Promise<ExecResult>;
  /** Runs `script` inside container `vmid` as `pct exec <vmid> -- sh -c '<script>'`, quoted safely. */
  execInContainer(
    target: SshTarget,
    vmid: number,
    script: string,
    options?: ExecOptions,
  ): Promise<ExecResult>;
  close(): Promise<void>;
}
