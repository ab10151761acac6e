/**
 * A self-signed certificate for 127.0.0.1, like a fresh Proxmox node's, made with the openssl CLI
 * (same approach as packages/proxmox/test/support/certs.ts; copied because test support is not part
 * of that package's exports).
 */
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface SelfSignedCert {
  readonly key: string;
  readonly cert: string;
  /** "AB:CD:…" as Node reports it. */
  readonly fingerprint256: string;
}

export function selfSignedCert(commonName = "pve-sim"): SelfSignedCert {
  const dir = mkdtempSync(join(tmpdir(), "sim-cert-"));
  try {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        "key.pem",
        "-out",
        "cert.pem",
        "-days",
        "2",
        "-subj",
        `/CN=${commonName}`,
        // Without the SAN a CA-based check fails on the host name, not on trust.
        "-addext",
        "subjectAltName=IP:127.0.0.1,DNS:localhost",
      ],
      { cwd: dir, stdio: "ignore" },
    );
    const cert = readFileSync(join(dir, "cert.pem"), "utf8");
    return {
      key: readFileSync(join(dir, "key.pem"), "utf8"),
      cert,
      fingerprint256: new X509Certificate(cert).fingerprint256,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
