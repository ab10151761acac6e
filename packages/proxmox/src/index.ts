/**
 * @proximity/proxmox: a Proxmox VE API client (undici, TLS pinning, token or ticket auth, circuit
 * breakers, task waiting) and an SSH executor for `pct exec` on the nodes. Used by the provisioner only.
 */

// Types
export type {
  ClusterResource,
  ContainerSummary,
  CreateContainerParams,
  ExecOptions,
  ExecResult,
  NodeSummary,
  ProxmoxAuth,
  ProxmoxClient,
  ProxmoxClientOptions,
  ProxmoxTls,
  SshAuth,
  SshExecutor,
  SshTarget,
  TaskStatus,
  Upid,
  WaitForTaskOptions,
} from "./api.js";
export type { BreakerOptions, BreakerRegistry, BreakerSnapshot, BreakerState } from "./breaker.js";
// Factories and helpers
export { createBreakerRegistry } from "./breaker.js";
export type { ProxmoxClientDeps } from "./client.js";
export { createProxmoxClient } from "./client.js";
export type { ProxmoxConflictReason } from "./errors.js";
// Errors
export {
  HostKeyMismatchError,
  ProxmoxApiError,
  ProxmoxAuthError,
  ProxmoxConflictError,
  ProxmoxTlsError,
  SshAuthError,
  TaskFailedError,
} from "./errors.js";
export type {
  CloneContainerParams,
  ContainerInterface,
  ExtendedProxmoxClient,
  PruneBackupsOptions,
  PruneEntry,
  RestoreContainerParams,
  RrdPoint,
  SnapshotInfo,
  StorageContentItem,
  StorageSummary,
  VzdumpParams,
} from "./extended-api.js";
export { fingerprintOf } from "./host-key.js";
export type { HostKeyProbeTarget } from "./read-host-key.js";
export { readHostKeyFingerprint } from "./read-host-key.js";
export { pctExecCommand, shellQuote } from "./shell-quote.js";
export type { SshExecutorDeps } from "./ssh-executor.js";
export { createSshExecutor } from "./ssh-executor.js";
export { isTaskSuccess } from "./tasks.js";
export { normalizeCertFingerprint } from "./tls.js";
export type { ParsedUpid } from "./upid.js";
export { parseUpid } from "./upid.js";
