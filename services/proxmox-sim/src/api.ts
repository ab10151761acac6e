/**
 * Public surface of the Proxmox VE simulator (used by tests, the dev stack and benchmarks).
 */

export interface SimulatorOptions {
  /** SSH host key (OpenSSH private key) per node name; nodes without one get a fresh key. */
  readonly hostKeys?: Readonly<Record<string, string>>;
  /** Cluster name reported by the API. Default "sim". */
  readonly clusterName?: string;
  /** Node names; each gets its own SSH server. Default ["pve1"]. */
  readonly nodes?: readonly string[];
  /** HTTP listen host/port for /api2/json (port 0 = ephemeral). Default 127.0.0.1:8006. */
  readonly host?: string;
  readonly httpPort?: number;
  /** Base SSH port; node i listens on sshPort + i (0 = each ephemeral). Default 0. */
  readonly sshPort?: number;
  /** Accepted API tokens: tokenId is "user@realm!name". */
  readonly tokens?: readonly { readonly tokenId: string; readonly secret: string }[];
  /** Accepted users for /access/ticket. */
  readonly users?: readonly { readonly username: string; readonly password: string }[];
  /** SSH login accepted on every node. */
  readonly ssh?: {
    readonly username: string;
    readonly password?: string;
    readonly authorizedKeys?: string[];
  };
  /** How long each async task runs, default 100 ms. */
  readonly taskDurationMs?: number;
  /** How long each command inside a container (`pct exec` over SSH) takes, default 0. */
  readonly commandDurationMs?: number;
  /**
   * Running containers the cluster starts with (VMIDs from 100, spread over the nodes, hostname
   * `app-<vmid>`), for scale benchmarks. Default 0.
   */
  readonly containers?: number;
  /** Delay of 401 answers (real PVE: ~3 s). Default 0 for tests. */
  readonly authFailureDelayMs?: number;
  /**
   * PEM certificate and private key: the API is served over HTTPS (as real PVE, usually with a
   * self-signed certificate) and `baseUrl` starts with https://. Default: plain HTTP.
   */
  readonly tls?: { readonly cert: string; readonly key: string };
  /**
   * Where the control API (`/_sim/*`: faults, inspection of containers and their files) listens,
   * plain HTTP without authentication, never on the API port. Default 127.0.0.1 on an ephemeral
   * port; `false`: not served at all (the in-process controls of this handle still work).
   */
  readonly admin?: { readonly host?: string; readonly port?: number } | false;
}

export interface SimulatorNodeInfo {
  readonly name: string;
  readonly sshHost: string;
  readonly sshPort: number;
  /** OpenSSH "SHA256:<base64>" fingerprint of this node's host key. */
  readonly hostKeyFingerprint: string;
}

export interface RunningSimulator {
  /** e.g. "http://127.0.0.1:40123", or "https://…" with `tls` (the client appends /api2/json). */
  readonly baseUrl: string;
  /** Base of the control API, e.g. "http://127.0.0.1:40124" (requests go to `${adminUrl}/_sim/…`); absent with `admin: false`. */
  readonly adminUrl?: string;
  readonly nodes: readonly SimulatorNodeInfo[];
}

/** Where a fault applies. All given fields must match. */
export interface FaultMatch {
  /** HTTP method of an API call. */
  readonly method?: "GET" | "POST" | "PUT" | "DELETE";
  /** Regular expression (source) tested against the API path after /api2/json, e.g. "^/nodes/[^/]+/lxc$". */
  readonly path?: string;
  /** Task type (vzcreate, vzstart, vzdump …) for "task-failure". */
  readonly taskType?: string;
  /** Regular expression tested against the command run over SSH (for SSH faults). */
  readonly sshCommand?: string;
  /** Container the fault applies to (guest faults: image and service faults, shutdown-timeout). */
  readonly vmid?: number;
  /** Regular expression tested against a compose service's image, e.g. "^nginx:1\\.99$" (image faults). */
  readonly image?: string;
  /** Storage id, e.g. "local" ("storage-full"). */
  readonly storage?: string;
}

export type FaultEffect =
  /** Answer with an HTTP error (status/message as real PVE would). */
  | { readonly kind: "http-error"; readonly status: number; readonly message: string }
  /** Delay the answer. */
  | { readonly kind: "latency"; readonly delayMs: number }
  /** Never answer (until the fault is removed or the simulator stops). */
  | { readonly kind: "hang" }
  /** Destroy the TCP connection without an answer. */
  | { readonly kind: "reset" }
  /** Let the task start, then end with `TASK ERROR: <message>`. */
  | { readonly kind: "task-failure"; readonly message: string }
  /** SSH command exits with `code` and prints `stderr`. */
  | { readonly kind: "ssh-failure"; readonly code: number; readonly stderr: string }
  /**
   * `docker compose pull` (or `up`, which pulls missing images) of a matching image fails with exit 1:
   * unknown tag, registry down. Default message: Docker's "manifest unknown" for the image.
   */
  | { readonly kind: "image-pull-failure"; readonly message?: string }
  /**
   * A service with a matching image exits right after `up`/`start`/`restart` (exit code, default 1):
   * `ps` shows it "restarting" when the service has a restart policy, else "exited" (listed only
   * with `ps -a`, as docker compose does).
   */
  | { readonly kind: "service-exit"; readonly exitCode?: number }
  /** A service with a matching image runs but its health check fails: State "running", Health "unhealthy". */
  | { readonly kind: "service-unhealthy" }
  /**
   * The container ignores a clean shutdown: `status/shutdown` fails like lxc-stop's timeout unless
   * `forceStop=1` (then it is killed and the task succeeds). `stop` still works.
   */
  | { readonly kind: "shutdown-timeout" }
  /**
   * The storage is full: a vzdump writing to it fails like the compressor on ENOSPC ("No space
   * left on device", the backup job ends "job errors") and its partial archive is removed.
   */
  | { readonly kind: "storage-full" };

export interface FaultSpec {
  readonly match: FaultMatch;
  readonly effect: FaultEffect;
  /** Probability 0..1 that a matching call is hit (default 1). */
  readonly rate?: number;
  /** Stop after hitting this many times (default unlimited). */
  readonly times?: number;
}

export interface SimContainer {
  readonly node: string;
  readonly vmid: number;
  readonly hostname: string;
  readonly status: "running" | "stopped";
  readonly tags: string;
  readonly description: string;
  readonly lock?: string;
}

/**
 * One command a node's SSH server received, recorded when it arrives (so commands that hang or are
 * reset are recorded too): what `ps` on the node would have shown. Stdin is never recorded.
 */
export interface SimCommand {
  readonly node: string;
  /** For `pct exec … -- sh -c '<script>'` the decoded script, else the command line. */
  readonly command: string;
  /** The command line exactly as received (the node's process list shows this). */
  readonly line: string;
  /** How many bytes arrived on stdin (the content is never kept). */
  readonly stdinBytes: number;
  /** Exit status; null while running, or when none was sent (hang, reset). */
  readonly exitCode: number | null;
  readonly at: string;
}

/** A file inside a container, as the simulated guest holds it. */
export interface SimGuestFile {
  readonly content: string;
  /** Permission bits, e.g. 0o600 (`umask 077` before writing). */
  readonly mode: number;
}

/** What a simulator was asked since it started (`GET /_sim/counts`). */
export interface SimRequestCounts {
  /** API requests by route, e.g. `{"POST /nodes/{node}/lxc": 3}`; `<method> (no route)` for unknown paths. */
  readonly api: Readonly<Record<string, number>>;
  /** Commands its nodes' SSH servers received. */
  readonly commands: number;
}

/** Handle returned by createProxmoxSimulator(). */
export interface ProxmoxSimulator {
  start(): Promise<RunningSimulator>;
  stop(): Promise<void>;
  /** Injects a fault; returns its id. */
  addFault(spec: FaultSpec): string;
  removeFault(id: string): void;
  clearFaults(): void;
  /** Whole host down: API connections refused/reset and SSH refused until set back. */
  setHostDown(down: boolean): void;
  /** Present a different SSH host key on every node (to test host-key verification). */
  setWrongHostKey(wrong: boolean): void;
  containers(): SimContainer[];
  /** Every command the nodes' SSH servers received (newest last, at most the last 10 000). */
  commandLog(node?: string): SimCommand[];
  /** The API requests (by route) and commands received since the simulator started. */
  counts(): SimRequestCounts;
  /** A file inside container `vmid` (any node), undefined when either does not exist. */
  guestFile(vmid: number, path: string): SimGuestFile | undefined;
  /**
   * Removes a volume (e.g. a backup archive `local:backup/vzdump-lxc-…`) behind the API's back, as
   * an admin deleting the file on the node would; false when it was not there. Without `node`, every
   * node's copy goes.
   */
  removeVolume(volid: string, node?: string): boolean;
}
