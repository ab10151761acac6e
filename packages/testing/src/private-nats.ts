import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

/** A nats-server of one test file (its own port, configuration and JetStream store). */
export interface PrivateNats {
  /** `nats://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Its temporary directory (configuration and store), removed by stop(). */
  readonly dir: string;
  /** The server's output so far (to explain a refusal in a failing test). */
  output(): string;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

/** The nats-server binary: on PATH, else the Debian package's /usr/sbin/nats-server. */
export function natsServerBinary(): string {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir && existsSync(join(dir, "nats-server"))) return join(dir, "nats-server");
  }
  if (existsSync("/usr/sbin/nats-server")) return "/usr/sbin/nats-server";
  throw new Error("nats-server not found (PATH or /usr/sbin): install the nats-server package");
}

/** A TCP port free right now on 127.0.0.1. */
export async function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject()));
    });
  });
}

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = tcpConnect({ host: "127.0.0.1", port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

/**
 * Starts a private nats-server from the configuration `config` returns for its port and store
 * directory (e.g. natsServerConfig of @proximity/bus, with authentication), and waits until it
 * listens. Never touches the shared test servers; stop it in afterAll. With authentication, no
 * service may declare a stream: declare the bus as the admin first (declareBus), as setup does.
 * @example
 * const admin = generateNatsUser();
 * const nats = await startPrivateNats(({ port, storeDir }) =>
 *   natsServerConfig({ ns, users, admin: admin.publicKey, port, storeDir }));
 * const nc = await connectBusAdmin({ servers: nats.url, seed: admin.seed });
 * await declareBus(nc, ns, { limits: { maxBytes: 8 * 1024 * 1024, maxMessageBytes: 1024 * 1024 } });
 * await nc.close();
 */
export async function startPrivateNats(
  config: (where: { port: number; storeDir: string }) => string,
): Promise<PrivateNats> {
  const binary = natsServerBinary();
  const dir = mkdtempSync(join(tmpdir(), "proximity-nats-"));
  const port = await freeTcpPort();
  const file = join(dir, "nats-server.conf");
  writeFileSync(file, config({ port, storeDir: join(dir, "store") }), { mode: 0o600 });
  let output = "";
  const child: ChildProcess = spawn(binary, ["-c", file], { stdio: ["ignore", "pipe", "pipe"] });
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-200_000);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const killed = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(killed);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const end = Date.now() + 15_000;
  while (!(await portOpen(port))) {
    if (child.exitCode !== null || Date.now() > end) {
      await stop();
      throw new Error(`private nats-server did not start:\n${output.slice(-4_000)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `nats://127.0.0.1:${port}`, port, dir, output: () => output, stop };
}
