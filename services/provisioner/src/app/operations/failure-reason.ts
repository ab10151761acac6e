/**
 * The explanation users read when an operation failed for good (OperationFailed.reason and the
 * journal's last_error). Built from our own typed errors only: never Proxmox texts (they name
 * files and internals), never credentials, never stack traces.
 */
import { AbandonedDeliveryError, isNoResponders, isRequestTimeout, PermanentFailure } from "@proximity/bus";
import {
  ConflictError,
  DeadlineExceededError,
  NotFoundError,
  PermissionDeniedError,
  UnavailableError,
  ValidationError,
} from "@proximity/errors";
import { HostKeyMismatchError, ProxmoxAuthError, SshAuthError, TaskFailedError } from "@proximity/proxmox";
import { NatsError } from "nats";
import { PlainHttpRefusedError } from "../../domain/host-transport.js";
import {
  AppNotRunningError,
  ArchiveOperationError,
  ContainerCommandError,
  ContainerMissingError,
  HostKeyNotPinnedError,
  NoFreeVmidError,
  OperationRefusedError,
  StepFailedError,
} from "./errors.js";
import { STEP_PHRASES, Step, type StepName } from "./step-names.js";

/** Steps that talk to Proximity's own services only (the hosts and secrets services), not to the host. */
const PLATFORM_STEPS: ReadonlySet<StepName> = new Set([
  Step.resolveConnection,
  Step.readSecrets,
  Step.storeRootPassword,
]);

/** Longest command output line quoted in a reason. */
export const MAX_QUOTED_OUTPUT = 200;

/** Unwraps PermanentFailure/StepFailedError: the failing step (if known) and the root error. */
export function failureOf(error: unknown): { step: StepName | undefined; cause: unknown } {
  let e = error;
  if (e instanceof PermanentFailure) e = e.cause;
  if (e instanceof StepFailedError) return { step: e.step, cause: e.cause };
  return { step: undefined, cause: e };
}

/**
 * A safe one-sentence reason. Command output quoted here was masked where it was captured
 * (runInContainer), so the app's environment values do not appear.
 */
export function explainFailure(error: unknown, attempts: number): string {
  const { step, cause } = failureOf(error);
  const during = step ? ` while ${STEP_PHRASES[step]}` : "";
  const tries = `(${attempts} ${attempts === 1 ? "attempt" : "attempts"})`;
  if (cause instanceof HostKeyMismatchError) {
    return `The SSH host key of the Proxmox node does not match the registered fingerprint; Proximity refused to connect${during}`;
  }
  if (cause instanceof SshAuthError)
    return `The Proxmox node refused Proximity's SSH login${during}; check the node credentials`;
  if (cause instanceof ProxmoxAuthError)
    return `Proxmox rejected Proximity's credentials${during}; check the host credentials`;
  if (cause instanceof PermissionDeniedError)
    return `Permission denied${during}; check the host credentials and their privileges`;
  if (cause instanceof NotFoundError && step === Step.resolveConnection)
    return "The host, its node or its credentials are not registered in Proximity";
  if (cause instanceof HostKeyNotPinnedError || cause instanceof PlainHttpRefusedError) return cause.message;
  if (
    cause instanceof OperationRefusedError ||
    cause instanceof ContainerMissingError ||
    cause instanceof ArchiveOperationError
  )
    return cause.message;
  if (cause instanceof ValidationError)
    return `The deployment settings were rejected${during}: ${cause.message}`;
  if (cause instanceof AppNotRunningError)
    return `The app did not start: ${truncate(cause.services.join(", "))} not running ${tries}`;
  if (cause instanceof ContainerCommandError) return commandFailure(step, cause);
  if (cause instanceof TaskFailedError) return `Proxmox reported an error${during} ${tries}`;
  if (cause instanceof NoFreeVmidError) return `No free container ID could be reserved on the host ${tries}`;
  if (cause instanceof UnavailableError || cause instanceof DeadlineExceededError) {
    const who =
      step !== undefined && PLATFORM_STEPS.has(step)
        ? "A Proximity service was unavailable"
        : "Proxmox host unreachable";
    return `${who}${during} ${tries}`;
  }
  // Every delivery of the request died with its process (abandoned-deliveries.ts in the bus).
  if (cause instanceof AbandonedDeliveryError)
    return `The provisioner was stopped during every attempt before it could finish ${tries}`;
  // The bus stayed without a leader longer than a request waits (untilLeaderAnswers).
  if (cause instanceof NatsError && (isNoResponders(cause) || isRequestTimeout(cause)))
    return `Proximity's message bus did not answer${during} ${tries}`;
  if (cause instanceof ConflictError)
    return `The container was busy with another Proxmox operation${during} ${tries}`;
  return `Unexpected error${during} ${tries}`;
}

function commandFailure(step: StepName | undefined, err: ContainerCommandError): string {
  const line = lastLine(err.stderr);
  const what =
    step === Step.startApp || step === Step.pullImages || step === Step.recreateApp
      ? "Docker compose failed inside the container"
      : step === Step.installDocker
        ? "Installing Docker failed inside the container"
        : `A command failed inside the container${step ? ` while ${STEP_PHRASES[step]}` : ""}`;
  return line ? `${what}: ${line}` : `${what} (exit status ${err.exitCode})`;
}

/** Last non-empty output line, control characters removed, truncated. */
export function lastLine(output: string): string {
  const lines = output
    .split(/\r?\n/)
    .map((l) => withoutControlCharacters(l).trim())
    .filter((l) => l !== "");
  return truncate(lines.at(-1) ?? "");
}

/** Drops terminal escapes and other control characters that command output may carry. */
function withoutControlCharacters(s: string): string {
  return [...s].filter((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f).join("");
}

function truncate(s: string): string {
  return s.length > MAX_QUOTED_OUTPUT ? `${s.slice(0, MAX_QUOTED_OUTPUT - 1)}…` : s;
}
