/**
 * What the steps of every operation kind share: long-lived dependencies (OperationDeps, one per
 * process) and the state of one attempt (Attempt). Credentials live only in memory: the host's in
 * its session (host-sessions.ts, reached through `connection`), an app's secret values in `masked`
 * for the attempt (kept there for masking).
 */
import type { Logger } from "@proximity/logger";
import type { BreakerRegistry, ExtendedProxmoxClient, SshExecutor, SshTarget } from "@proximity/proxmox";
import type { Tracer } from "@proximity/telemetry";
import type { Db } from "../../db/database.js";
import type { TransportPolicy } from "../../domain/host-transport.js";
import type { Peers } from "../../infra/peers.js";
import type { VmidLease, VmidLeases } from "../../infra/vmid-leases.js";
import type { HostRecords } from "./host-records.js";
import type { HostSessions } from "./host-sessions.js";
import type { OffPathWork } from "./off-path.js";
import type { OperationKindName } from "./operation-kind.js";
import type { GuestVmids } from "./placement/guest-vmids.js";
import type { ProgressBatcher, ProgressReporter } from "./progress-reporter.js";
import type { StepJournal } from "./step-journal.js";

/** Settings from the configuration that shape containers and bound waits. */
export interface OperationSettings {
  readonly lxcTemplate: string;
  readonly lxcStorage: string;
  readonly lxcBridge: string;
  readonly taskTimeoutMs: number;
  /** Longest wait for a vzdump or restore task (they copy whole disks). */
  readonly backupTaskTimeoutMs: number;
  readonly taskPollIntervalMs: number;
  readonly sshCommandTimeoutMs: number;
  readonly sshLongCommandTimeoutMs: number;
  readonly claimTtlMs: number;
  readonly leaseTtlMs: number;
  /** How long a graceful shutdown may take before the container is stopped hard. */
  readonly shutdownTimeoutMs: number;
  /** How long an updated app may take to report every service running (and healthy). */
  readonly updateHealthTimeoutMs: number;
  /** Pause between two health checks of an updated app. */
  readonly updateHealthIntervalMs: number;
}

/** Process-wide collaborators of every operation. */
export interface OperationDeps {
  readonly db: Db;
  readonly peers: Peers;
  readonly leases: VmidLeases;
  readonly ssh: SshExecutor;
  /** One registry per process: every client of a host shares its breaker (key = host id). */
  readonly breakers: BreakerRegistry;
  /** Each host's client and credentials, shared by the operations of this process. */
  readonly hostSessions: HostSessions;
  /** Each host's record from the hosts service, kept until it changes (host-records.ts). */
  readonly hostRecords: HostRecords;
  /** Each host's guest VMIDs as Proxmox listed them lately, shared by placements (guest-vmids.ts). */
  readonly guestVmids: GuestVmids;
  /** How hosts may be reached (plain HTTP only in development mode). */
  readonly transport: TransportPolicy;
  readonly logger: Logger;
  readonly settings: OperationSettings;
  /** This process's identity: each claim it takes is `<workerId>/<nonce>` (claim-id.ts). */
  readonly workerId: string;
  /** Progress lines of this process's operations, written in batches (progress-reporter.ts). */
  readonly progress: ProgressBatcher;
  /** The service's tracer: operation and step spans, Proxmox API calls. Default: none. */
  readonly tracer?: Tracer;
}

/** The fields every operation request carries (the app the operation is about, and where). */
export interface OperationRequest {
  readonly operationId: string;
  readonly appId: string;
  readonly hostId: string;
  readonly node: string;
}

/** How to reach the host and the node of one operation. */
export interface HostConnection {
  readonly hostName: string;
  /** The host's configured backup storage ("local" when none is set). */
  readonly backupStorage: string;
  readonly pve: ExtendedProxmoxClient;
  readonly sshTarget: SshTarget;
  /** The host's credentials were read for an earlier operation (a shared session: host-sessions.ts). */
  readonly reusedCredentials: boolean;
  /**
   * The host's record (its nodes' pinned keys among others) was read for an earlier operation: a
   * key refused with it may have been replaced since (the retry reads the record again).
   */
  readonly keptRecord: boolean;
  /**
   * Ends this operation's use of the host's session (its client is shared: see host-sessions.ts).
   * `discard` after a failure: the next operation reads the credentials again.
   */
  close(options?: { readonly discard?: boolean }): Promise<void>;
}

/** One attempt at one operation of request type R. */
export interface Attempt<R extends OperationRequest = OperationRequest> {
  readonly deps: OperationDeps;
  readonly kind: OperationKindName;
  readonly request: R;
  /** Delivery number of the request (1 = first). */
  readonly attempt: number;
  /** This attempt's claim on the operation (operations.claimed_by): every write of it is fenced on it. */
  readonly claim: string;
  /** The operation span's traceparent (events recorded outside a step carry it). */
  readonly traceparent: string;
  /** performance.now() when this delivery began (the operation duration metric). */
  readonly startedAt: number;
  readonly log: Logger;
  /** Aborted when the claim on the operation or the VMID lease is lost. */
  readonly signal: AbortSignal;
  /**
   * Values masked in any command output before it is logged or quoted (the app's environment and
   * secret values). Filled by the steps that read them; never logged itself.
   */
  readonly masked: string[];
  /** The attempt's progress lines for the app's owner, written in batches. */
  readonly progress: ProgressReporter;
  /** The attempt's writes to the step journal (a step's done goes with the next write). */
  readonly journal: StepJournal;
  connection?: HostConnection;
  /** The lease held while the VMID is chosen but the container not yet created. */
  lease?: VmidLease | undefined;
  /** Work started off the steps' path (a lease's release), waited for before the attempt ends. */
  readonly offPath: OffPathWork;
}
