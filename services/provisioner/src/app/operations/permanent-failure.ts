/**
 * Which failures are worth retrying. Bad input and refused credentials fail the same way every
 * time, so retrying only delays the explanation; everything else (Proxmox down, task errors,
 * commands failing inside the container) may pass on a later attempt.
 */
import { NotFoundError, PermissionDeniedError, ValidationError } from "@proximity/errors";
import { HostKeyMismatchError, ProxmoxAuthError, SshAuthError } from "@proximity/proxmox";
import { ContainerMissingError } from "./errors.js";
import { failureOf } from "./failure-reason.js";
import { Step } from "./step-names.js";

/**
 * True for ValidationError, PermissionDeniedError (which covers Proxmox and SSH credential errors
 * and host key mismatches, and OperationRefusedError), a container that does not exist, and an
 * unknown host or node while resolving the connection.
 */
export function isPermanentFailure(error: unknown): boolean {
  const { step, cause } = failureOf(error);
  if (cause instanceof ValidationError || cause instanceof PermissionDeniedError) return true;
  if (cause instanceof ContainerMissingError) return true;
  return cause instanceof NotFoundError && step === Step.resolveConnection;
}

/** True when a node's SSH host key is not the one registered (or kept) for it. */
export function isHostKeyRefusal(error: unknown): boolean {
  return failureOf(error).cause instanceof HostKeyMismatchError;
}

/** True when Proxmox or a node refused the host's credentials (its API login or its SSH login). */
export function isCredentialRefusal(error: unknown): boolean {
  const { cause } = failureOf(error);
  return cause instanceof ProxmoxAuthError || cause instanceof SshAuthError;
}
