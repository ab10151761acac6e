/**
 * The Proxmox VE simulator's credentials, HTTPS certificate and nodes' SSH host keys for compose,
 * generated once by the init step into one directory only the simulator mounts, and the bootstrap
 * host that registers it, written for the hosts service alone: the hosts service needs the API
 * token and SSH password it hands to the secrets service and the fingerprints it pins, never the
 * simulator's private keys. Nothing is a shipped default: every stack has its own.
 */
import { randomBytes, X509Certificate } from "node:crypto";
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createPlatformCa, issueServiceCertificate } from "../packages/identity/src/index.js";
import { hostKeyFile, loadOrCreateHostKeys } from "../services/proxmox-sim/src/host-key-store.js";
import { hostKeyFromPrivate } from "../services/proxmox-sim/src/ssh/host-keys.js";
import { simulatorBootstrapHost } from "./sim-bootstrap-host.js";

/** Files of the simulator's directory. */
export const SimulatorFiles = {
  tokenSecret: "token-secret",
  sshPassword: "ssh-password",
  tlsCert: "tls.crt",
  tlsKey: "tls.key",
} as const;

/** Directory of the nodes' SSH host keys (`<node>.key`) in the simulator's directory: its SIM_HOST_KEY_DIR. */
export const SIMULATOR_HOST_KEYS = "host-keys";

type Owner = { readonly uid: number; readonly gid: number };

/** How the simulator runs, as the hosts service must reach it. */
export interface SimulatorTopology {
  readonly nodes: readonly string[];
  /** The name the hosts service and the provisioner reach it at (compose: its service name). */
  readonly address: string;
  readonly httpPort: number;
  /** SSH port of the first node; node i listens on sshPort + i. */
  readonly sshPort: number;
}

/**
 * Writes the files that are missing. The certificate comes from a throwaway CA of its own (its key
 * is not kept), so, like a real node's self-signed one, nothing trusts it but the pin the hosts
 * service records from the simulator's state file; it is no platform certificate.
 */
export async function writeSimulatorCredentials(
  dir: string,
  owner?: Owner,
  /** Nodes whose SSH host keys are made here (kept across runs, like a real node's). */
  nodes: readonly string[] = [],
): Promise<void> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const write = (file: string, content: string) => {
    const path = join(dir, file);
    if (existsSync(path)) return;
    writeFileSync(path, content, { mode: 0o400 });
    if (owner) chownSync(path, owner.uid, owner.gid);
  };
  write(SimulatorFiles.tokenSecret, crypto.randomUUID());
  write(SimulatorFiles.sshPassword, randomBytes(24).toString("base64url"));
  if (!existsSync(join(dir, SimulatorFiles.tlsCert)) || !existsSync(join(dir, SimulatorFiles.tlsKey))) {
    for (const file of [SimulatorFiles.tlsCert, SimulatorFiles.tlsKey])
      rmSync(join(dir, file), { force: true });
    const tls = await issueServiceCertificate(await createPlatformCa(825), "proxmox-sim", {
      dnsNames: ["proxmox-sim"],
    });
    write(SimulatorFiles.tlsKey, tls.keyPem);
    write(SimulatorFiles.tlsCert, tls.certPem);
  }
  if (nodes.length > 0) {
    const keysDir = join(dir, SIMULATOR_HOST_KEYS);
    await loadOrCreateHostKeys(keysDir, nodes);
    if (owner)
      for (const path of [keysDir, ...nodes.map((n) => hostKeyFile(keysDir, n))])
        chownSync(path, owner.uid, owner.gid);
  }
  if (owner) chownSync(dir, owner.uid, owner.gid);
}

/**
 * Writes `file`, the hosts service's BOOTSTRAP_HOST_JSON registering the simulator: its API token
 * and SSH password, its certificate's fingerprint (pinned) and each node's host-key fingerprint,
 * all derived from what writeSimulatorCredentials keeps in `simDir` (so written again on every
 * run). Readable by `owner` alone; it holds credentials.
 */
export function writeSimulatorBootstrapHost(
  file: string,
  simDir: string,
  topology: SimulatorTopology,
  owner?: Owner,
): void {
  const read = (name: string) => readFileSync(join(simDir, name), "utf8").trim();
  const state = {
    tlsFingerprint: new X509Certificate(read(SimulatorFiles.tlsCert)).fingerprint256,
    nodes: topology.nodes.map((name, i) => ({
      name,
      sshHost: topology.address,
      sshPort: topology.sshPort + i,
      hostKeyFingerprint: hostKeyFromPrivate(
        readFileSync(hostKeyFile(join(simDir, SIMULATOR_HOST_KEYS), name), "utf8"),
      ).fingerprint,
    })),
  };
  const json = simulatorBootstrapHost(state, {
    tokenSecret: read(SimulatorFiles.tokenSecret),
    sshPassword: read(SimulatorFiles.sshPassword),
    address: topology.address,
    port: topology.httpPort,
  });
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  rmSync(file, { force: true });
  writeFileSync(file, json, { mode: 0o400 });
  if (owner) {
    chownSync(file, owner.uid, owner.gid);
    chownSync(dirname(file), owner.uid, owner.gid);
  }
}
