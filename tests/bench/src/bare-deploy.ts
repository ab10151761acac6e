/**
 * The bare baseline of the deploy benchmark: what one deploy costs the simulator alone. A
 * simulator (in this process, zero task and command latency) is driven directly with the
 * platform's own Proxmox client and SSH executor, through the provisioner's sequence of a deploy
 * (next VMID and guests list, create, start, the five commands inside the container), with no
 * service, database, bus or gRPC call in between. The difference from a platform deploy is what
 * the platform adds.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { createLogger } from "../../../packages/logger/src/index.js";
import {
  createProxmoxClient,
  createSshExecutor,
  type SshTarget,
} from "../../../packages/proxmox/src/index.js";
import {
  composeFilePath,
  composeStatusScript,
  composeUpScript,
  envFilePath,
  INSTALL_DOCKER_SCRIPT,
  writeFromStdinScript,
} from "../../../services/provisioner/src/domain/deploy-scripts.js";
import { createProxmoxSimulator, type SimRequestCounts } from "../../../services/proxmox-sim/src/index.js";

const COMPOSE = [
  "services:",
  "  whoami:",
  "    image: traefik/whoami:v1.10",
  `    ports: ["$\{PROXIMITY_PORT:-8080}:80"]`,
  "",
].join("\n");

export interface BareDeploys {
  /** Milliseconds of each deploy, one at a time. */
  readonly sequentialMs: number[];
  /** Deploys per second of a burst (`burst` at once, `concurrency` in flight). */
  readonly burstPerSecond: number;
  /** What the burst asked of the simulator, per deploy (see simulatorWork). */
  readonly simulatorWork: SimulatorWork;
}

/** Proxmox API requests (by route, and in all) and commands inside containers, per deploy. */
export interface SimulatorWork {
  readonly apiCalls: number;
  readonly byRoute: Readonly<Record<string, number>>;
  readonly commands: number;
}

/** The simulator's counts between two readings (`/_sim/counts`), per deploy. */
export function simulatorWork(
  before: SimRequestCounts,
  after: SimRequestCounts,
  deploys: number,
): SimulatorWork {
  const byRoute: Record<string, number> = {};
  let apiCalls = 0;
  for (const [route, n] of Object.entries(after.api)) {
    const calls = n - (before.api[route] ?? 0);
    if (calls === 0) continue;
    byRoute[route] = calls / deploys;
    apiCalls += calls;
  }
  return { apiCalls: apiCalls / deploys, byRoute, commands: (after.commands - before.commands) / deploys };
}

export async function runBareDeploys(options: {
  sequential: number;
  burst: number;
  concurrency: number;
}): Promise<BareDeploys> {
  const token = { tokenId: "root@pam!bench", secret: randomUUID() };
  const password = randomBytes(12).toString("base64url");
  const sim = createProxmoxSimulator({
    host: "127.0.0.1",
    httpPort: 0,
    sshPort: 0,
    nodes: ["pve1"],
    tokens: [token],
    ssh: { username: "root", password },
    taskDurationMs: 0,
    commandDurationMs: 0,
    authFailureDelayMs: 0,
  });
  const running = await sim.start();
  const logger = createLogger({ service: "bench-bare", level: "silent" });
  const pve = createProxmoxClient(
    { baseUrl: running.baseUrl, auth: { kind: "token", tokenId: token.tokenId, secret: token.secret } },
    { logger },
  );
  const ssh = createSshExecutor({ logger });
  const node = running.nodes[0]!;
  const target: SshTarget = {
    host: node.sshHost,
    port: node.sshPort,
    username: "root",
    auth: { kind: "password", password },
    hostKeyFingerprint: node.hostKeyFingerprint,
  };
  let next = 1000;
  const deploy = async (): Promise<number> => {
    const started = performance.now();
    const appId = randomUUID();
    const vmid = next++;
    await Promise.all([pve.nextId(), pve.clusterResources("vm")]);
    await pve.waitForTask(
      await pve.createContainer(node.name, {
        vmid,
        ostemplate: "local:vztmpl/debian-13-standard_13.1-2_amd64.tar.zst",
        hostname: `bare-${vmid}`,
        password,
        cores: 1,
        memory: 512,
        rootfs: "local-lvm:8",
        net0: "name=eth0,bridge=vmbr0,ip=dhcp",
        unprivileged: true,
      }),
      { intervalMs: 10 },
    );
    await pve.waitForTask(await pve.startContainer(node.name, vmid), { intervalMs: 10 });
    const run = async (script: string, stdin?: string) => {
      const r = await ssh.execInContainer(target, vmid, script, stdin === undefined ? {} : { stdin });
      if (r.code !== 0) throw new Error(`bare deploy: ${script.slice(0, 40)} exited ${r.code}: ${r.stderr}`);
    };
    await run(INSTALL_DOCKER_SCRIPT);
    await run(writeFromStdinScript(composeFilePath(appId)), COMPOSE);
    await run(writeFromStdinScript(envFilePath(appId)), "PROXIMITY_PORT=30000\n");
    await run(composeUpScript(appId));
    await run(composeStatusScript(appId));
    return performance.now() - started;
  };
  try {
    await deploy(); // warm-up: connections, JIT
    const sequentialMs: number[] = [];
    for (let i = 0; i < options.sequential; i++) sequentialMs.push(await deploy());
    let left = options.burst;
    const countsBefore = sim.counts();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (left > 0) {
          left--;
          await deploy();
        }
      }),
    );
    const burstPerSecond = (options.burst * 1000) / (performance.now() - started);
    return {
      sequentialMs,
      burstPerSecond,
      simulatorWork: simulatorWork(countsBefore, sim.counts(), options.burst),
    };
  } finally {
    await ssh.close();
    await pve.close();
    await sim.stop();
  }
}
