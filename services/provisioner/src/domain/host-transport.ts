/**
 * How the provisioner may reach a host's API. Plain HTTP would send the host's credentials (API
 * token or root password) in clear, so it is refused unless the provisioner runs in development
 * mode, whatever the host's record says: the hosts service refuses `insecure_http` outside
 * development too, but a row written before that rule, or edited in the database, must not be
 * enough to put a credential on the wire.
 */
import { ValidationError } from "@proximity/errors";

export interface TransportPolicy {
  /** PROXIMITY_MODE=development: plain-HTTP hosts (a local simulator) may be reached. */
  readonly allowPlainHttp: boolean;
}

/** A host registered for plain HTTP while plain HTTP is refused. Its message is the whole explanation. */
export class PlainHttpRefusedError extends ValidationError {
  constructor(hostName: string) {
    super(
      `Host ${hostName} is registered for plain HTTP, which would send its credentials in clear; Proximity refuses it outside development mode (PROXIMITY_MODE=development): give the host a TLS fingerprint or CA`,
    );
  }
}

/** Whether the host may be reached as registered. */
export function isTransportAllowed(
  host: { readonly insecureHttp: boolean },
  policy: TransportPolicy,
): boolean {
  return !host.insecureHttp || policy.allowPlainHttp;
}

/** Throws PlainHttpRefusedError unless the host may be reached as registered. */
export function assertTransportAllowed(
  host: { readonly name: string; readonly insecureHttp: boolean },
  policy: TransportPolicy,
): void {
  if (!isTransportAllowed(host, policy)) throw new PlainHttpRefusedError(host.name);
}

/** The base URL of a host's API (callers check assertTransportAllowed first). */
export function hostApiBaseUrl(host: {
  readonly address: string;
  readonly port: number;
  readonly insecureHttp: boolean;
}): string {
  return `${host.insecureHttp ? "http" : "https"}://${host.address}:${host.port}`;
}
