/**
 * Builds the undici connector for a Proxmox host according to its TLS policy: system CAs (default),
 * a private CA, a pinned certificate fingerprint, or explicitly insecure.
 */
import { createSecureContext, type SecureContext, type TLSSocket } from "node:tls";
import { buildConnector } from "undici";
import type { ProxmoxTls } from "./api.js";

/** Normalises "ab:cd:…" / "ABCD…" to upper-case hex pairs joined by colons, as Node reports them. */
export function normalizeCertFingerprint(fp: string): string {
  const hex = fp.replace(/[^0-9a-f]/gi, "").toUpperCase();
  if (hex.length !== 64)
    throw new Error("A pinned certificate fingerprint must be a SHA-256 digest (64 hex digits)");
  return hex.match(/../g)!.join(":");
}

/** Raised by the pinning connector; `code` lets the error mapping recognise it. */
export class CertificatePinError extends Error {
  readonly code = "PVE_TLS_PIN";
  constructor(
    readonly expected: string,
    readonly actual: string | undefined,
  ) {
    super(`certificate fingerprint ${actual ?? "(none)"} does not match the pinned ${expected}`);
    this.name = "CertificatePinError";
  }
}

/** Connector settings shared by every policy. */
export interface ConnectorSettings {
  readonly connectTimeoutMs: number;
}

/**
 * Returns the `connect` function for an undici Agent.
 *
 * Pinning deliberately does not use `checkServerIdentity` with `rejectUnauthorized: false`: Node calls
 * `checkServerIdentity` only when chain verification succeeded, so for the self-signed certificates pinning
 * exists for it would never run and every certificate would be accepted. Instead the connection is checked
 * after the handshake (`secureConnect`) against `getPeerCertificate().fingerprint256`. A resumed TLS
 * session presents no certificate, so only sessions issued on a connection that passed that check are
 * ever offered for resumption (pinnedConnector); a missing certificate on a full handshake fails too.
 *
 * Every connection of a connector shares one TLS context (Node builds one per connection when none is
 * given: OpenSSL set up and the CA parsed again each time, the largest cost of observing a thousand
 * hosts, whose idle connections the hosts close between rounds).
 */
export function buildTlsConnector(
  tls: ProxmoxTls | undefined,
  settings: ConnectorSettings,
): buildConnector.connector {
  const connector = policyConnector(tls, settings);
  if (!tls?.fingerprint && !tls?.ca) return connector;
  // A pin or a CA promises a verified host; a plain http:// connection verifies nothing, so it is
  // refused rather than made unverified behind a setting that says otherwise.
  return (opts, callback) => {
    if (opts.protocol !== "https:")
      return callback(new CertificatePinError("(https required)", undefined), null);
    connector(opts, callback);
  };
}

function policyConnector(tls: ProxmoxTls | undefined, settings: ConnectorSettings): buildConnector.connector {
  const timeout = settings.connectTimeoutMs;
  // With a `secureContext`, tls.connect ignores the context-level options (ca, ciphers,
  // minVersion, secureOptions…): any such setting goes into createSecureContext.
  if (tls?.fingerprint) return pinnedConnector(normalizeCertFingerprint(tls.fingerprint), timeout);
  if (tls?.insecure)
    return buildConnector({ timeout, rejectUnauthorized: false, secureContext: systemTrustContext() });
  if (tls?.ca) return buildConnector({ timeout, secureContext: createSecureContext({ ca: tls.ca }) });
  return buildConnector({ timeout, secureContext: systemTrustContext() });
}

/**
 * Longest time a pinned host's connections may go on resuming sessions without one full handshake
 * (and so without the certificate being checked again): resumption proves the server holds the
 * secret of a session, or the ticket key of the server, that a verified handshake started from,
 * and sessions issued on resumed connections could otherwise extend that chain for ever.
 */
export const PINNED_RESUMPTION_MAX_MS = 10 * 60_000;

/**
 * Accepts a connection whose certificate has the pinned fingerprint, or which resumed a session
 * issued on such a connection (or on a connection that resumed one, within
 * PINNED_RESUMPTION_MAX_MS of the last full verified handshake): resuming proves the server holds
 * that session's secret or its ticket key, which only the server of the verified handshake has.
 * undici's own session cache is off (it would keep a session from a connection refused here);
 * this connector keeps the last trusted one.
 */
function pinnedConnector(expected: string, timeout: number): buildConnector.connector {
  const context = systemTrustContext();
  let trusted: { readonly session: Buffer; readonly verifiedAt: number } | undefined;
  return (opts, callback) => {
    const offered =
      trusted && Date.now() - trusted.verifiedAt < PINNED_RESUMPTION_MAX_MS ? trusted : undefined;
    const base = buildConnector({
      timeout,
      rejectUnauthorized: false,
      maxCachedSessions: 0,
      secureContext: context,
      ...(offered ? { session: offered.session } : {}),
    });
    base(opts, (err, socket) => {
      if (err || !socket) return callback(err ?? new Error("connect failed"), null);
      const tlsSocket = socket as TLSSocket;
      const resumed = offered !== undefined && tlsSocket.isSessionReused?.() === true;
      const actual = resumed ? undefined : tlsSocket.getPeerCertificate?.()?.fingerprint256;
      if (!resumed && actual?.toUpperCase() !== expected) {
        socket.destroy();
        return callback(new CertificatePinError(expected, actual), null);
      }
      // Tickets arrive after the handshake (Node holds an early one until now): those of this
      // accepted connection may be resumed, as long as the chain's full handshake is recent.
      const verifiedAt = resumed ? offered.verifiedAt : Date.now();
      tlsSocket.on("session", (session: Buffer) => {
        trusted = { session, verifiedAt };
      });
      callback(null, socket);
    });
  };
}

let systemTrust: SecureContext | undefined;
/** The TLS context with the system's CAs, built once per process. */
function systemTrustContext(): SecureContext {
  systemTrust ??= createSecureContext({});
  return systemTrust;
}
