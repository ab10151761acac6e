/**
 * The Proxmox VE simulator as the platform's default host: its certificate, its environment, and
 * the bootstrap host (BOOTSTRAP_HOST_JSON of the hosts service) built from the state file it
 * writes once listening.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type SimulatorState, simulatorBootstrapHost } from "../../deploy/sim-bootstrap-host.js";

/** What the simulator writes to SIM_STATE_FILE: the bootstrap host's inputs and its control API. */
export interface RunningSimulatorState extends SimulatorState {
  readonly adminUrl?: string;
}

/**
 * A self-signed certificate for the simulator's API (as a fresh Proxmox node has), made once in
 * `dir` with the openssl CLI; the bootstrap host pins its fingerprint. Without openssl the
 * simulator serves plain HTTP (allowed in development mode only): an empty result.
 */
export function simulatorCertificate(dir: string): Record<string, string> {
  const cert = join(dir, "sim-cert.pem");
  const key = join(dir, "sim-key.pem");
  if (!existsSync(cert)) {
    const made = spawnSync("openssl", [
      ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"],
      ...["-keyout", key, "-out", cert, "-days", "825", "-subj", "/CN=pve-sim"],
      ...["-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
    ]);
    if (made.status !== 0) {
      console.error("[platform] openssl unavailable: the simulator serves plain HTTP");
      return {};
    }
  }
  return { SIM_TLS_CERT_FILE: cert, SIM_TLS_KEY_FILE: key };
}

/**
 * Waits for the state file the simulator writes after it listens (remove a stale one before
 * starting it); fails at once when `gone()` says it exited.
 */
export async function readSimulatorState(
  file: string,
  { timeoutMs = 30_000, gone }: { timeoutMs?: number; gone?: () => boolean } = {},
): Promise<RunningSimulatorState> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (existsSync(file)) {
      try {
        return JSON.parse(readFileSync(file, "utf8")) as RunningSimulatorState;
      } catch {
        // Being written: read again.
      }
    }
    if (gone?.()) throw new Error("the simulator exited before writing its state file");
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the simulator wrote no state file (${file}) within ${timeoutMs} ms`);
}

/** BOOTSTRAP_HOST_JSON registering the simulator listening on `port`. */
export function simulatorHost(
  state: SimulatorState,
  credentials: { tokenSecret: string; sshPassword: string },
  port: number,
): string {
  return simulatorBootstrapHost(state, { ...credentials, port });
}
