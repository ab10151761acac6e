/**
 * Builds the undici connector for a Proxmox host according to its TLS policy: system CAs (default),
 * a private CA, a pinned certificate fingerprint, or explicitly insecure.
 */
import type { TLSSocket } from "node:tls";
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
 * after the handshake (`secureConnect`) against `getPeerCertificate().fingerprint256`, and TLS session
 * resumption is disabled so every connection presents its certificate. A missing certificate fails too.
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
  if (tls?.fingerprint) {
    const expected = normalizeCertFingerprint(tls.fingerprint);
    const base = buildConnector({ timeout, rejectUnauthorized: false, maxCachedSessions: 0 });
    return (opts, callback) => {
      base(opts, (err, socket) => {
        if (err || !socket) return callback(err ?? new Error("connect failed"), null);
        const actual = (socket as TLSSocket).getPeerCertificate?.()?.fingerprint256;
        if (actual?.toUpperCase() !== expected) {
          socket.destroy();
          return callback(new CertificatePinError(expected, actual), null);
        }
        callback(null, socket);
      });
    };
  }
  if (tls?.insecure) return buildConnector({ timeout, rejectUnauthorized: false });
  if (tls?.ca) return buildConnector({ timeout, ca: tls.ca });
  return buildConnector({ timeout });
}
