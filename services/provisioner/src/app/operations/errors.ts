/**
 * Errors of the operations (every kind). Their messages are safe for logs and events; raw command output
 * and Proxmox texts stay in dedicated fields or `cause`.
 */
import {
  ConflictError,
  InternalError,
  NotFoundError,
  UnavailableError,
  ValidationError,
} from "@proximity/errors";
import type { StepName } from "./step-names.js";

/** A step failed; carries the step name for logs, the journal and the failure reason. */
export class StepFailedError extends Error {
  readonly step: StepName;

  constructor(step: StepName, cause: unknown) {
    super(`step ${step} failed`, { cause });
    this.name = "StepFailedError";
    this.step = step;
  }
}

/** A command inside the container exited non-zero. `stderr` is the command's output (logs only). */
export class ContainerCommandError extends InternalError {
  readonly exitCode: number;
  readonly stderr: string;

  constructor(what: string, exitCode: number, stderr: string) {
    super(`${what} exited with status ${exitCode}`);
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}

/** Another worker holds the operation (a duplicate delivery); retried later, when it may be done. */
export class OperationBusyError extends ConflictError {
  constructor() {
    super("The operation is being worked on by another worker");
  }
}

/** The claim on the operation or the VMID lease was lost: stop before any further effect. */
export class OwnershipLostError extends UnavailableError {}

/** The VMID lease was lost (the claim on the operation may still be held). */
export class LeaseLostError extends OwnershipLostError {}

/** The chosen VMID belongs to someone else (found at create time): pick another one. */
export class VmidTakenError extends ConflictError {
  readonly vmid: number;

  constructor(vmid: number) {
    super(`VMID ${vmid} is taken`);
    this.vmid = vmid;
  }
}

/** No candidate VMID could be leased. */
export class NoFreeVmidError extends UnavailableError {
  constructor() {
    super("No free VMID could be reserved on the host");
  }
}

/** Compose reports services that are not running after `up -d`. */
export class AppNotRunningError extends InternalError {
  readonly services: readonly string[];

  constructor(services: readonly string[]) {
    super(`Services not running: ${services.join(", ")}`);
    this.services = services;
  }
}

/**
 * The node was registered for trust on first use and no host check has pinned its key yet. A
 * ValidationError, so the deploy fails for good at once: retrying cannot pin a key, and connecting
 * without one would be exactly the silent trust issue 3 forbids.
 */
export class HostKeyNotPinnedError extends ValidationError {
  constructor(node: string) {
    super(`Node ${node} has no pinned SSH host key yet: run a host check`);
  }
}

/**
 * The request cannot be carried out as asked (e.g. adopting a container another app owns). Its
 * message is the whole explanation users read; retrying cannot help.
 */
export class OperationRefusedError extends ValidationError {}

/** The container an operation is about does not exist (any more) on its node. */
export class ContainerMissingError extends NotFoundError {
  constructor(vmid: number, node: string) {
    super(`Container ${vmid} does not exist on node ${node}`);
  }
}

/**
 * A backup, restore or archive deletion Proxmox cannot carry out for a reason retrying will not fix
 * (the storage is full, the archive is gone or protected). Its message is the whole explanation
 * users read: our own words, never Proxmox's.
 */
export class ArchiveOperationError extends ValidationError {
  constructor(message: string, cause?: unknown) {
    super(message, [], cause);
  }
}
