/**
 * Loads the simulator's HTTPS certificate for the process entry point. The fingerprint is what a
 * Proxmox host record pins (real PVE shows it under Datacenter → Certificates), so the dev stack can
 * register the simulator with verification on instead of turning it off.
 */
import { X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";

export interface SimTls {
  readonly cert: string;
  readonly key: string;
  /** SHA-256 fingerprint, "AB:CD:…" as Node and PVE print it. */
  readonly fingerprint256: string;
}

/** Reads PEM files; throws if the certificate does not parse, so a bad file fails at start-up. */
export async function loadSimTls(certFile: string, keyFile: string): Promise<SimTls> {
  const [cert, key] = await Promise.all([readFile(certFile, "utf8"), readFile(keyFile, "utf8")]);
  return { cert, key, fingerprint256: new X509Certificate(cert).fingerprint256 };
}
