/**
 * Many simulated Proxmox hosts in one process (scale benchmarks): host i (1 ≤ i < count) is a
 * cluster of its own (nodes, containers, tasks, storages, faults), listening on the loopback address
 * `firstAddress + i - 1` (Linux answers on all of 127/8) with the same ports as host 0, and
 * accepting only its own credentials (fleetCredential). Host 0 is the simulator main.ts always
 * runs; its control API is the only one (fleet hosts have none). One certificate serves every host:
 * each host record pins it, as each would pin its own.
 */
import type { ProxmoxSimulator, RunningSimulator, SimulatorOptions } from "./api.js";
import { createProxmoxSimulator } from "./simulator.js";

export interface FleetOptions {
  /** Hosts in all, host 0 included (the fleet starts hosts 1 … count-1). */
  readonly count: number;
  /** IPv4 address of host 1, e.g. "127.1.0.1"; host i listens on it + (i - 1). */
  readonly firstAddress: string;
  /** API token id of every host; each host's secret is fleetCredential(tokenSecret, i). */
  readonly tokenId: string;
  readonly tokenSecret: string;
  /** SSH login of every node; each host's password is fleetCredential(sshPassword, i). */
  readonly sshUser: string;
  readonly sshPassword: string;
  /** What every host shares with host 0: nodes, ports, TLS, task duration, seeded containers. */
  readonly shared: Pick<
    SimulatorOptions,
    | "nodes"
    | "httpPort"
    | "sshPort"
    | "tls"
    | "taskDurationMs"
    | "commandDurationMs"
    | "authFailureDelayMs"
    | "containers"
  >;
}

/** A started fleet host: its index, address and what its simulator reports. */
export interface FleetHost extends RunningSimulator {
  readonly index: number;
  readonly address: string;
}

export interface SimulatorFleet {
  /** Starts hosts 1 … count-1 (in order), each on its address. */
  start(): Promise<FleetHost[]>;
  stop(): Promise<void>;
  /** The simulator of host i (1 ≤ i < count), for faults and inspection in tests. */
  host(index: number): ProxmoxSimulator;
}

/** Credential of fleet host i: the base value with the host's index, so no two hosts share one. */
export function fleetCredential(base: string, index: number): string {
  return `${base}-h${index}`;
}

/** IPv4 address `first + offset` ("127.1.0.255" + 1 = "127.1.1.0"). */
export function fleetAddress(first: string, offset: number): string {
  const parts = first.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255))
    throw new Error(`not an IPv4 address: ${first}`);
  const n = ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]! + offset;
  if (n > 0xffffffff) throw new Error(`address ${first} + ${offset} overflows`);
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

export function createSimulatorFleet(options: FleetOptions): SimulatorFleet {
  const sims = new Map<number, ProxmoxSimulator>();
  for (let i = 1; i < options.count; i++) {
    sims.set(
      i,
      createProxmoxSimulator({
        ...options.shared,
        clusterName: `sim${i}`,
        host: fleetAddress(options.firstAddress, i - 1),
        tokens: [{ tokenId: options.tokenId, secret: fleetCredential(options.tokenSecret, i) }],
        ssh: { username: options.sshUser, password: fleetCredential(options.sshPassword, i) },
        admin: false,
      }),
    );
  }
  return {
    start: async () => {
      const started: FleetHost[] = [];
      for (const [index, sim] of sims) {
        const address = fleetAddress(options.firstAddress, index - 1);
        started.push({ index, address, ...(await sim.start()) });
      }
      return started;
    },
    stop: async () => {
      await Promise.all([...sims.values()].map((s) => s.stop()));
    },
    host: (index) => {
      const sim = sims.get(index);
      if (!sim) throw new Error(`no fleet host ${index}`);
      return sim;
    },
  };
}
