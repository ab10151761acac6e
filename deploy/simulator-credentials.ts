/**
 * The Proxmox VE simulator's credentials and HTTPS certificate for compose, generated once by the
 * init step into one directory that only the simulator and the hosts service (which registers it
 * as the default host) mount. Nothing is a shipped default: every stack has its own.
 */
import { randomBytes } from "node:crypto";
import { chownSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createPlatformCa, issueServiceCertificate } from "../packages/identity/src/index.js";

/** Files of the simulator's directory. */
export const SimulatorFiles = {
  tokenSecret: "token-secret",
  sshPassword: "ssh-password",
  tlsCert: "tls.crt",
  tlsKey: "tls.key",
} as const;

/**
 * Writes the files that are missing. The certificate comes from a throwaway CA of its own (its key
 * is not kept), so, like a real node's self-signed one, nothing trusts it but the pin the hosts
 * service records from the simulator's state file; it is no platform certificate.
 */
export async function writeSimulatorCredentials(
  dir: string,
  owner?: { readonly uid: number; readonly gid: number },
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
  if (owner) chownSync(dir, owner.uid, owner.gid);
}
