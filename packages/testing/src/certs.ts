/** Test certificates made with the openssl CLI: a self-signed leaf, and a CA with a leaf it signed. */
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A key pair with its certificate and SHA-256 fingerprint ("AB:CD:…"). */
export interface TestCert {
  readonly key: string;
  readonly cert: string;
  readonly fingerprint256: string;
}

const SAN = "subjectAltName=IP:127.0.0.1,DNS:localhost";

function openssl(dir: string, args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
}

function load(dir: string, key: string, cert: string): TestCert {
  const pem = readFileSync(join(dir, cert), "utf8");
  return {
    key: readFileSync(join(dir, key), "utf8"),
    cert: pem,
    fingerprint256: new X509Certificate(pem).fingerprint256,
  };
}

/** A self-signed certificate for 127.0.0.1, like a fresh Proxmox node's. */
export function selfSignedCert(commonName = "pve-test"): TestCert {
  const dir = mkdtempSync(join(tmpdir(), "pve-cert-"));
  try {
    openssl(dir, [
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
      "-addext",
      SAN,
    ]);
    return load(dir, "key.pem", "cert.pem");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A CA and a leaf for 127.0.0.1 signed by it. */
export function caSignedCert(): { ca: string; leaf: TestCert } {
  const dir = mkdtempSync(join(tmpdir(), "pve-ca-"));
  try {
    openssl(dir, [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
      "-days",
      "2",
      "-subj",
      "/CN=Test PVE CA",
    ]);
    openssl(dir, [
      "req",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      "leaf.key",
      "-out",
      "leaf.csr",
      "-subj",
      "/CN=pve-node",
    ]);
    writeFileSync(join(dir, "ext.cnf"), `${SAN}\n`);
    openssl(dir, [
      "x509",
      "-req",
      "-in",
      "leaf.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      "leaf.pem",
      "-days",
      "2",
      "-extfile",
      "ext.cnf",
    ]);
    return { ca: readFileSync(join(dir, "ca.pem"), "utf8"), leaf: load(dir, "leaf.key", "leaf.pem") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
