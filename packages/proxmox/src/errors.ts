/**
 * Errors specific to Proxmox and SSH. Each extends a shared typed error so the edges map them like any
 * other; their `message` is safe for users, while what Proxmox or the node said travels in `cause`
 * (a ProxmoxApiError) and in dedicated properties, which are logged but never returned to clients.
 */
import { ConflictError, PermissionDeniedError, ProximityError, UnavailableError } from "@proximity/errors";

/**
 * The raw facts of a failed Proxmox API call, kept for logs: HTTP status, the Proxmox message and
 * per-parameter errors. It is attached as `cause` of the typed error the client throws and never
 * carries credentials (paths and parameter names only, no parameter values).
 */
export class ProxmoxApiError extends Error {
  readonly status: number;
  readonly pveMessage: string;
  readonly method: string;
  readonly path: string;
  readonly paramErrors: Readonly<Record<string, string>>;

  constructor(init: {
    status: number;
    pveMessage: string;
    method: string;
    path: string;
    paramErrors?: Record<string, string>;
  }) {
    super(`Proxmox ${init.method} ${init.path} -> ${init.status}: ${init.pveMessage}`);
    this.name = "ProxmoxApiError";
    this.status = init.status;
    this.pveMessage = init.pveMessage;
    this.method = init.method;
    this.path = init.path;
    this.paramErrors = init.paramErrors ?? {};
  }
}

/** Why Proxmox refused a state change: config lock, wrong run state, or a concurrent config edit. */
export type ProxmoxConflictReason = "locked" | "running" | "not-running" | "modified";

/** The container's state forbids the request (locked, already running, not running…). */
export class ProxmoxConflictError extends ConflictError {
  readonly reason: ProxmoxConflictReason;
  readonly pveMessage: string;

  constructor(message: string, reason: ProxmoxConflictReason, cause: ProxmoxApiError) {
    super(message, cause);
    this.reason = reason;
    this.pveMessage = cause.pveMessage;
  }
}

/**
 * Proxmox rejected Proximity's own credentials (HTTP 401, or a failed ticket login). This is a host
 * configuration problem, not the end user's: it extends PermissionDeniedError (→ 403 at the edge) rather
 * than UnauthenticatedError so that a gateway never answers 401 and makes a front end log its user out.
 */
export class ProxmoxAuthError extends PermissionDeniedError {
  constructor(cause?: unknown) {
    super("Proximity could not authenticate to the Proxmox host; check the host credentials", cause);
  }
}

/** A Proxmox task stopped with an error. `exitstatus` and `logTail` are Proxmox texts, for logs only. */
export class TaskFailedError extends ProximityError {
  readonly upid: string;
  readonly taskType: string;
  readonly exitstatus: string;
  readonly logTail: readonly string[];

  constructor(init: { upid: string; type: string; exitstatus: string; logTail: string[] }) {
    // Lock and run-state failures are conflicts the caller may resolve by waiting; anything else is ours.
    const conflict = /locked|already running|not running|got timeout/i.test(init.exitstatus);
    super(conflict ? "CONFLICT" : "INTERNAL", `Proxmox task ${init.type} failed`);
    this.upid = init.upid;
    this.taskType = init.type;
    this.exitstatus = init.exitstatus;
    this.logTail = init.logTail;
  }
}

/**
 * The SSH host key of a node is missing from the configuration or differs from the expected one.
 * Never retried: a changed key means a reinstalled node or a man in the middle, and a human decides.
 */
export class HostKeyMismatchError extends PermissionDeniedError {
  readonly host: string;
  readonly expected: string;
  readonly actual: string | undefined;

  constructor(host: string, expected: string, actual?: string) {
    super(
      expected === ""
        ? `No SSH host key fingerprint is configured for ${host}; refusing to connect`
        : `The SSH host key of ${host} (${actual ?? "unknown"}) does not match the expected ${expected}; refusing to connect`,
    );
    this.host = host;
    this.expected = expected;
    this.actual = actual;
  }
}

/** The node refused Proximity's SSH credentials. The message names the host and user, never secrets. */
export class SshAuthError extends PermissionDeniedError {
  constructor(host: string, username: string, cause?: unknown) {
    super(`SSH authentication to ${username}@${host} failed; check the node credentials`, cause);
  }
}

/**
 * The host's TLS certificate was not accepted (no pin or CA matched). Still an UnavailableError
 * (retry and breaker behaviour unchanged); its own class lets callers tell an admin to configure a
 * fingerprint or CA instead of reporting a host that did not answer.
 */
export class ProxmoxTlsError extends UnavailableError {
  constructor(cause: unknown) {
    super("The TLS certificate of the Proxmox host was not accepted", cause);
  }
}
