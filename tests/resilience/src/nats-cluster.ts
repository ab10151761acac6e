/**
 * A three-node JetStream cluster of the local nats-server (2.9.x) on free 127.0.0.1 ports, for
 * tests that take servers away under load: find the leader of a stream, kill it -9, start it
 * again on the same ports and store. Never touches the machine's shared NATS server.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eventually, freeTcpPort, natsServerBinary } from "@proximity/testing";
import { connect, type NatsConnection } from "nats";
import { portOpen } from "./port-open.js";

export interface NatsClusterOptions {
  /** Nodes (default 3). */
  readonly size?: number;
  /**
   * The configuration of a node without its cluster block (natsServerConfig of @proximity/bus for
   * authentication); default JetStream without authentication. It must listen on `port`, keep
   * its store in `storeDir` and name the server `serverName`.
   */
  readonly config?: (node: { port: number; storeDir: string; serverName: string }) => string;
}

export interface NatsNode {
  /** Server name (n1, n2, …): what `cluster.leader` of a stream names. */
  readonly name: string;
  readonly port: number;
  readonly url: string;
  readonly running: boolean;
}

export interface NatsCluster {
  readonly nodes: readonly NatsNode[];
  /** Every node's client URL, comma-separated (NATS_URL of a service). */
  readonly servers: string;
  /** The server leading stream `stream` now (a KV bucket's stream is `KV_<bucket>`). */
  leaderOf(stream: string): Promise<string>;
  /** The server leading durable consumer `durable` of `stream` now (a consumer has a leader of its own). */
  leaderOfConsumer(stream: string, durable: string): Promise<string>;
  /**
   * Waits until `stream` has a leader other than `not` (a killed node) and returns it; with
   * `allCurrent`, also until every replica is online and caught up (after a restart).
   */
  awaitLeader(
    stream: string,
    options?: { not?: string; allCurrent?: boolean; timeoutMs?: number },
  ): Promise<string>;
  /** SIGKILL: no shutdown, no leadership hand-over (a crashed machine). */
  kill(name: string): Promise<void>;
  /** Starts a stopped node again on its ports and store; resolves once it listens. */
  restart(name: string): Promise<void>;
  /** Every node's output so far (to explain a failing test). */
  output(name: string): string;
  /** Stops every node and removes the store directories. */
  stop(): Promise<void>;
}

interface NodeState {
  readonly name: string;
  readonly port: number;
  readonly routePort: number;
  readonly file: string;
  child?: ChildProcess;
  exited?: Promise<void>;
  output: string;
}

const plainConfig = ({
  port,
  storeDir,
  serverName,
}: {
  port: number;
  storeDir: string;
  serverName: string;
}) =>
  [
    `server_name: ${JSON.stringify(serverName)}`,
    `listen: "127.0.0.1:${port}"`,
    `jetstream { store_dir: ${JSON.stringify(storeDir)}, max_file_store: 1073741824, max_memory_store: 67108864 }`,
    "",
  ].join("\n");

/**
 * Starts the cluster and waits until JetStream has a meta leader (streams can be declared).
 * @example
 * const cluster = await startNatsCluster();
 * try { … NATS_URL: cluster.servers … await cluster.kill(await cluster.leaderOf("NS_APPLICATIONS")); }
 * finally { await cluster.stop(); }
 */
export async function startNatsCluster(options: NatsClusterOptions = {}): Promise<NatsCluster> {
  const size = options.size ?? 3;
  const binary = natsServerBinary();
  const dir = mkdtempSync(join(tmpdir(), "proximity-nats-cluster-"));
  const config = options.config ?? plainConfig;
  const nodes: NodeState[] = [];
  for (let i = 1; i <= size; i++) {
    const [port, routePort] = [await freeTcpPort(), await freeTcpPort()];
    nodes.push({ name: `n${i}`, port, routePort, file: join(dir, `n${i}.conf`), output: "" });
  }
  for (const node of nodes) {
    const storeDir = join(dir, node.name, "store");
    mkdirSync(storeDir, { recursive: true });
    const routes = nodes
      .filter((n) => n !== node)
      .map((n) => `nats-route://127.0.0.1:${n.routePort}`)
      .join(", ");
    const text = [
      config({ port: node.port, storeDir, serverName: node.name }),
      `cluster { name: "proximity", listen: "127.0.0.1:${node.routePort}", routes: [${routes}] }`,
      "",
    ].join("\n");
    writeFileSync(node.file, text, { mode: 0o600 });
  }
  const byName = (name: string) => {
    const node = nodes.find((n) => n.name === name);
    if (!node) throw new Error(`no node ${name}`);
    return node;
  };
  const running = (node: NodeState) =>
    node.child !== undefined && node.child.exitCode === null && node.child.signalCode === null;

  const launch = async (node: NodeState) => {
    const child = spawn(binary, ["-c", node.file], { stdio: ["ignore", "pipe", "pipe"] });
    const collect = (chunk: Buffer) => {
      node.output = (node.output + chunk.toString("utf8")).slice(-200_000);
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    node.child = child;
    node.exited = new Promise((resolve) => child.once("exit", () => resolve()));
    await eventually(
      async () => {
        if (!running(node)) throw new Error(`nats-server ${node.name} exited:\n${node.output.slice(-4_000)}`);
        return portOpen(node.port);
      },
      { timeoutMs: 15_000, what: `nats-server ${node.name} listening` },
    );
  };
  const stopNode = async (node: NodeState, signal: NodeJS.Signals) => {
    if (!running(node)) return;
    node.child!.kill(signal);
    const killed = setTimeout(() => node.child?.kill("SIGKILL"), 5_000);
    await node.exited;
    clearTimeout(killed);
  };

  const servers = nodes.map((n) => `nats://127.0.0.1:${n.port}`).join(",");
  let probe: NatsConnection | undefined;
  /** A connection of the test's own to the JetStream API (any live node answers). */
  const api = async () => {
    probe ??= await connect({
      servers: servers.split(","),
      name: "resilience-probe",
      maxReconnectAttempts: -1,
    });
    return probe.jetstreamManager({ timeout: 2_000 });
  };
  const streamInfo = async (stream: string) => (await api()).streams.info(stream);

  const cluster: NatsCluster = {
    get nodes() {
      return nodes.map((n) => ({
        name: n.name,
        port: n.port,
        url: `nats://127.0.0.1:${n.port}`,
        running: running(n),
      }));
    },
    servers,
    leaderOf: async (stream) => {
      const leader = (await streamInfo(stream)).cluster?.leader;
      if (!leader) throw new Error(`stream ${stream} has no leader now`);
      return leader;
    },
    leaderOfConsumer: async (stream, durable) => {
      const leader = (await (await api()).consumers.info(stream, durable)).cluster?.leader;
      if (!leader) throw new Error(`consumer ${durable} of ${stream} has no leader now`);
      return leader;
    },
    awaitLeader: (stream, { not, allCurrent = false, timeoutMs = 30_000 } = {}) =>
      eventually(
        async () => {
          const info = await streamInfo(stream);
          const leader = info.cluster?.leader;
          const replicas = info.cluster?.replicas ?? [];
          if (!leader || leader === not) return undefined;
          if (!allCurrent) return leader;
          return replicas.every((r) => r.current && !r.offline) ? leader : undefined;
        },
        { timeoutMs, intervalMs: 100, what: `a leader of ${stream}${not ? ` other than ${not}` : ""}` },
      ),
    kill: (name) => stopNode(byName(name), "SIGKILL"),
    restart: async (name) => {
      const node = byName(name);
      if (running(node)) throw new Error(`nats-server ${name} is running`);
      await launch(node);
    },
    output: (name) => byName(name).output,
    stop: async () => {
      await probe?.close().catch(() => undefined);
      await Promise.all(nodes.map((n) => stopNode(n, "SIGTERM")));
      rmSync(dir, { recursive: true, force: true });
    },
  };

  try {
    await Promise.all(nodes.map(launch));
    // JetStream answers once the meta group has a leader: until then stream creation fails.
    await eventually(
      async () => {
        const info = await (await api()).getAccountInfo();
        return info !== undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: "the JetStream meta leader" },
    );
    return cluster;
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}
