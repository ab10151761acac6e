/**
 * What the deploy steps share: long-lived dependencies (DeployDeps, one per process) and the state
 * of one attempt (DeployAttempt). Credentials live only inside `connection`, in memory, for the
 * duration of the attempt.
 */
import type { Logger } from "@proximity/logger";
import type { applicationsEventsV1 } from "@proximity/proto";
import type { BreakerRegistry, ProxmoxClient, SshExecutor, SshTarget } from "@proximity/proxmox";
import type { Db } from "../../db/database.js";
import type { Peers } from "../../infra/peers.js";
import type { VmidLease, VmidLeases } from "../../infra/vmid-leases.js";

export type DeployRequest = applicationsEventsV1.AppDeployRequested;

/** Settings from the configuration that shape containers and bound waits. */
export interface DeploySettings {
  readonly lxcTemplate: string;
  readonly lxcStorage: string;
  readonly lxcBridge: string;
  readonly taskTimeoutMs: number;
  readonly taskPollIntervalMs: number;
  readonly sshCommandTimeoutMs: number;
  readonly sshLongCommandTimeoutMs: number;
  readonly claimTtlMs: number;
  readonly leaseTtlMs: number;
}

/** Process-wide collaborators of the deploy use-case. */
export interface DeployDeps {
  readonly db: Db;
  readonly peers: Peers;
  readonly leases: VmidLeases;
  readonly ssh: SshExecutor;
  /** One registry per process: every client of a host shares its breaker (key = host id). */
  readonly breakers: BreakerRegistry;
  readonly logger: Logger;
  readonly settings: DeploySettings;
  /** This worker's identity in operations.claimed_by. */
  readonly workerId: string;
}

/** How to reach the host and the node of one operation. */
export interface HostConnection {
  readonly hostName: string;
  readonly pve: ProxmoxClient;
  readonly sshTarget: SshTarget;
  /** Releases the HTTP connections of `pve`. */
  close(): Promise<void>;
}

/** One attempt at one operation. */
export interface DeployAttempt {
  readonly deps: DeployDeps;
  readonly request: DeployRequest;
  /** Delivery number of the request (1 = first). */
  readonly attempt: number;
  readonly traceparent: string;
  readonly log: Logger;
  /** Aborted when the claim on the operation or the VMID lease is lost. */
  readonly signal: AbortSignal;
  connection?: HostConnection;
  /** The lease held while the VMID is chosen but the container not yet created. */
  lease?: VmidLease | undefined;
}
