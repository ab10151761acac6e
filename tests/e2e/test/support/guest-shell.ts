/**
 * Commands inside a container, the way someone working on the node runs them: SSH to the simulated
 * node, `pct exec <vmid> -- sh -c '<script>'`. Used to write an app's data outside Proximity (what
 * a backup must capture and a restore bring back). Files are read back with `sim.guestFile`.
 */
import { Client } from "ssh2";
import type { Platform } from "../../src/index.js";

/** POSIX single-quoting (one shell word, byte for byte). */
function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

export interface ExecOutput {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `script` in container `vmid` on `node` over SSH; resolves with its exit status and output. */
export async function execInContainer(
  platform: Platform,
  vmid: number,
  script: string,
  node = "pve1",
): Promise<ExecOutput> {
  const info = platform.simulator.nodes.find((n) => n.name === node);
  if (!info) throw new Error(`no simulated node ${node}`);
  const { sshUser, sshPassword } = platform.simulatorCredentials;
  const client = await new Promise<Client>((resolve, reject) => {
    const c = new Client();
    c.on("ready", () => resolve(c))
      .on("error", reject)
      .connect({
        host: info.sshHost,
        port: info.sshPort,
        username: sshUser,
        password: sshPassword,
        readyTimeout: 5_000,
      });
  });
  try {
    return await new Promise<ExecOutput>((resolve, reject) => {
      client.exec(`pct exec ${vmid} -- sh -c ${shellQuote(script)}`, (err, stream) => {
        if (err) return reject(err);
        let stdout = "";
        let stderr = "";
        let code: number | null = null;
        stream.on("data", (d: Buffer) => {
          stdout += d.toString();
        });
        stream.stderr.on("data", (d: Buffer) => {
          stderr += d.toString();
        });
        stream.on("exit", (c) => {
          code = c;
        });
        stream.on("close", () => resolve({ code, stdout, stderr }));
        stream.end();
      });
    });
  } finally {
    client.end();
  }
}

/** Writes `content` (one line) to `path` inside the container; fails the test unless it worked. */
export async function writeGuestFile(
  platform: Platform,
  vmid: number,
  path: string,
  content: string,
): Promise<void> {
  const dir = path.slice(0, path.lastIndexOf("/")) || "/";
  const out = await execInContainer(
    platform,
    vmid,
    `mkdir -p ${shellQuote(dir)} && echo ${shellQuote(content)} > ${shellQuote(path)}`,
  );
  if (out.code !== 0) throw new Error(`writing ${path} in CT ${vmid} failed (${out.code}): ${out.stderr}`);
}

/** Removes a file inside the container. */
export async function removeGuestFile(platform: Platform, vmid: number, path: string): Promise<void> {
  const out = await execInContainer(platform, vmid, `rm -rf ${shellQuote(path)}`);
  if (out.code !== 0) throw new Error(`removing ${path} in CT ${vmid} failed (${out.code}): ${out.stderr}`);
}
