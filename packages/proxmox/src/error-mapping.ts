/**
 * Maps Proxmox HTTP failures and transport failures onto the shared typed errors. Messages are written
 * here, never copied from Proxmox: its texts name files, nodes and internals, so they go to `cause`.
 */
import {
  AlreadyExistsError,
  DeadlineExceededError,
  InternalError,
  NotFoundError,
  PermissionDeniedError,
  type ProximityError,
  UnavailableError,
  ValidationError,
} from "@proximity/errors";
import {
  ProxmoxApiError,
  ProxmoxAuthError,
  ProxmoxConflictError,
  type ProxmoxConflictReason,
  ProxmoxTlsError,
} from "./errors.js";

/** What the client knows about a failed HTTP exchange. */
export interface HttpFailure {
  readonly status: number;
  readonly method: string;
  readonly path: string;
  /** `message` of the error body, or the reason phrase. */
  readonly pveMessage: string;
  readonly paramErrors?: Record<string, string>;
}

const CONFLICTS: readonly [RegExp, ProxmoxConflictReason, string][] = [
  [/is locked|got timeout|can't lock/i, "locked", "The container is locked by another Proxmox operation"],
  [/not running/i, "not-running", "The container is not running"],
  [/already running|container is running|is running/i, "running", "The container is running"],
  [/detected modified configuration/i, "modified", "The container configuration changed concurrently"],
];

/** Turns a non-2xx Proxmox answer into a typed error whose `cause` is a ProxmoxApiError. */
export function mapHttpError(f: HttpFailure): ProximityError {
  const cause = new ProxmoxApiError(f);
  const text = f.pveMessage;
  if (f.status === 400) {
    const fields = Object.keys(f.paramErrors ?? {}).map((field) => ({
      field,
      message: "rejected by Proxmox",
    }));
    return new ValidationError("Proxmox rejected the request parameters", fields, cause);
  }
  if (f.status === 401) return new ProxmoxAuthError(cause);
  if (f.status === 403) return new PermissionDeniedError("The Proxmox credentials lack a permission", cause);
  if (f.status === 501) return new InternalError("Proxmox does not support this request", cause);
  if (f.status >= 595 && f.status <= 599)
    return new UnavailableError("The Proxmox node is unreachable", cause);
  if (f.status === 502 || f.status === 503 || f.status === 504) {
    return new UnavailableError("The Proxmox host is unavailable", cause);
  }
  if (/already exists|already used/i.test(text))
    return new AlreadyExistsError("The resource already exists", cause);
  if (/does not exist|no such/i.test(text)) return new NotFoundError("Not found on the Proxmox host", cause);
  for (const [re, reason, message] of CONFLICTS) {
    if (re.test(text)) return new ProxmoxConflictError(message, reason, cause);
  }
  return new InternalError("The Proxmox request failed", cause);
}

const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "ETIMEDOUT",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_DESTROYED",
  "UND_ERR_CONNECT_TIMEOUT",
]);
const DEADLINE_CODES = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);

/** Turns an error thrown before a response arrived (socket, TLS, timeout) into a typed error. */
export function mapTransportError(err: unknown): ProximityError {
  const e = err as { code?: string; name?: string } | undefined;
  const code = e?.code ?? "";
  if (e?.name === "TimeoutError" || DEADLINE_CODES.has(code)) {
    return new DeadlineExceededError("The Proxmox request timed out", err);
  }
  if (UNAVAILABLE_CODES.has(code)) return new UnavailableError("The Proxmox host is unreachable", err);
  if (code.startsWith("ERR_TLS") || code.includes("CERT") || code === "EPROTO" || code === "PVE_TLS_PIN") {
    return new ProxmoxTlsError(err);
  }
  return new UnavailableError("The Proxmox host could not be reached", err);
}
