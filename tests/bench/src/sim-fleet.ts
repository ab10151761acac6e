/**
 * The simulator's extra hosts (SIM_HOSTS > 1) as the benchmarks use them: one simulator process
 * lists hosts 1 … n-1 in its fleet file (host 0 is registered at start as "simulator"); each has
 * its own loopback address, nodes and credentials (the fleet's secrets suffixed `-h<index>`).
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GatewayClient } from "../../e2e/src/index.js";

export interface FleetState {
  readonly tlsFingerprint?: string;
  readonly hosts: readonly {
    index: number;
    address: string;
    baseUrl: string;
    nodes: { name: string; sshHost: string; sshPort: number; hostKeyFingerprint: string }[];
  }[];
}

/** A fleet's state file and secrets, and the simulator environment that makes it. */
export class SimFleet {
  readonly file = join(tmpdir(), `proximity-fleet-${randomBytes(4).toString("hex")}.json`);
  readonly #tokenSecret = randomBytes(16).toString("hex");
  readonly #sshPassword = randomBytes(16).toString("base64url");

  /** Simulator variables for `hosts` hosts in all (host 0 included). */
  simulatorEnv(hosts: number): Record<string, string> {
    return {
      SIM_HOSTS: String(hosts),
      SIM_HOSTS_STATE_FILE: this.file,
      SIM_HOSTS_TOKEN_SECRET: this.#tokenSecret,
      SIM_HOSTS_SSH_PASSWORD: this.#sshPassword,
    };
  }

  /** The fleet, once the simulator has written it (a large fleet takes a while to come up). */
  async ready(timeoutMs: number): Promise<FleetState> {
    const end = Date.now() + timeoutMs;
    while (!existsSync(this.file)) {
      if (Date.now() > end) throw new Error(`the simulator did not list its fleet within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 250));
    }
    return JSON.parse(readFileSync(this.file, "utf8")) as FleetState;
  }

  /** Registers every fleet host through the API, `parallel` requests at a time. */
  async register(admin: GatewayClient, fleet: FleetState, parallel = 1): Promise<void> {
    let next = 0;
    const lane = async () => {
      while (next < fleet.hosts.length) {
        const h = fleet.hosts[next++]!;
        const res = await admin.post("/api/proxmox/hosts", {
          name: `sim-${h.index}`,
          address: h.address,
          port: Number(new URL(h.baseUrl).port),
          auth_mode: "api_token",
          username: "root@pam!proximity",
          api_secret: `${this.#tokenSecret}-h${h.index}`,
          ...(fleet.tlsFingerprint ? { tls_fingerprint: fleet.tlsFingerprint } : { insecure_http: true }),
          ssh_username: "root",
          ssh_password: `${this.#sshPassword}-h${h.index}`,
          nodes: h.nodes.map((n) => ({
            name: n.name,
            ssh_host: n.sshHost,
            ssh_port: n.sshPort,
            ssh_host_key_fingerprint: n.hostKeyFingerprint,
          })),
        });
        if (res.status !== 201)
          throw new Error(`register sim-${h.index}: ${res.status} ${JSON.stringify(res.body)}`);
      }
    };
    await Promise.all(Array.from({ length: parallel }, lane));
  }
}
