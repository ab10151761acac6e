/**
 * One SSH server per node. A plain TCP listener hands each connection to one of two ssh2 servers
 * (the node's real host key, or a different one while "wrong host key" is on), or drops it while
 * the host is down. Exec requests run in the node shell; every command is recorded as it arrives
 * (command line and stdin size, never stdin itself).
 */
import { type AddressInfo, createServer, type Server as NetServer, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import ssh2, { type Connection, type ServerChannel } from "ssh2";
import { runShell } from "../shell/interpreter.js";
import { splitWords } from "../shell/tokenizer.js";
import { recordCommand, type SimContext } from "../sim-context.js";
import { checkLogin, type SshLogin } from "./auth.js";
import { generateHostKey, hostKeyFromPrivate } from "./host-keys.js";
import { createNodeWorld, describeCommand } from "./node-shell.js";

export interface NodeSshServer {
  readonly fingerprint: string;
  listen(host: string, port: number): Promise<number>;
  /** Ends every open session (host down). */
  dropConnections(): void;
  close(): Promise<void>;
}

export interface NodeSshOptions {
  readonly node: string;
  readonly sim: SimContext;
  readonly login: SshLogin;
  readonly isHostDown: () => boolean;
  readonly isWrongHostKey: () => boolean;
  /** Host key (OpenSSH private key) to present; a fresh one when absent. */
  readonly hostKey?: string;
  /** Added latency of each command run inside a container (`pct exec`), as a real one takes time. */
  readonly commandDurationMs?: number;
}

/**
 * How long to wait for more stdin before running a command whose client never sent EOF. A
 * fallback only: every client here ends stdin. It was 100 ms, and on a loaded machine a client's
 * stdin (an app's compose file) could arrive later than that: the command then ran with an empty
 * stdin and the deploy failed with "(no services)".
 */
const STDIN_IDLE_MS = 10_000;

export function createNodeSshServer(options: NodeSshOptions): NodeSshServer {
  const real = options.hostKey ? hostKeyFromPrivate(options.hostKey) : generateHostKey();
  const wrong = generateHostKey();
  const sockets = new Set<Socket>();
  const files = new Map<string, string>();
  const dirs = new Set(["/", "/root", "/tmp", "/var/lib/vz/template/cache"]);
  const world = createNodeWorld(options.sim, options.node, files, dirs);
  const onClient = (client: Connection) => {
    client.on("error", () => undefined); // clients vanish mid-handshake in fault tests
    client.on("authentication", (ctx) => checkLogin(options.login, ctx));
    client.on("ready", () => {
      client.on("session", (accept) => {
        const session = accept();
        session.on("pty", (ok) => ok?.());
        session.on("env", (ok) => ok?.());
        session.on("exec", (ok, _reject, info) => void runExec(ok(), info.command));
      });
    });
  };
  const servers = [real, wrong].map((key) => new ssh2.Server({ hostKeys: [key.privateKey] }, onClient));
  const tcp: NetServer = createServer((socket) => {
    if (options.isHostDown()) return void socket.destroy();
    socket.setNoDelay(true); // small SSH packets would otherwise wait for delayed ACKs (~40 ms each)
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    servers[options.isWrongHostKey() ? 1 : 0]!.injectSocket(socket);
  });

  async function runExec(stream: ServerChannel, command: string): Promise<void> {
    const stdin = await readStdin(stream);
    const logged = describeCommand(command, splitWords);
    // Recorded on arrival, before any fault: a command that hangs was still seen by the node.
    const record = recordCommand(options.sim, {
      node: options.node,
      command: logged,
      line: command,
      stdinBytes: Buffer.byteLength(stdin),
    });
    const fault = options.sim.faults.forSsh([logged, command]);
    if (fault?.kind === "reset") return void stream.destroy();
    if (fault?.kind === "hang") return;
    if (fault?.kind === "latency") await sleep(fault.delayMs);
    if (options.commandDurationMs && /\bpct\s+exec\b/.test(command)) await sleep(options.commandDurationMs);
    const result =
      fault?.kind === "ssh-failure"
        ? {
            code: fault.code,
            stdout: "",
            stderr: fault.stderr.endsWith("\n") ? fault.stderr : `${fault.stderr}\n`,
          }
        : runShell(world, command, { stdin });
    record.exitCode = result.code;
    try {
      if (result.stdout) stream.write(result.stdout);
      if (result.stderr) stream.stderr.write(result.stderr);
      stream.exit(result.code);
      stream.end();
    } catch {
      // the client closed the channel (its own deadline): nothing to deliver
    }
  }

  return {
    fingerprint: real.fingerprint,
    listen: (host, port) =>
      new Promise((resolve, reject) => {
        tcp.once("error", reject);
        tcp.listen(port, host, () => resolve((tcp.address() as AddressInfo).port));
      }),
    dropConnections: () => {
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        tcp.close(() => resolve());
      }),
  };
}

/** Collects stdin until EOF, or until it has been idle briefly (clients that never send EOF). */
function readStdin(stream: ServerChannel): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let timer: NodeJS.Timeout;
    const done = () => {
      clearTimeout(timer);
      stream.removeAllListeners("data");
      resolve(Buffer.concat(chunks).toString("utf8"));
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(done, STDIN_IDLE_MS);
    };
    stream.on("data", (d: Buffer) => {
      chunks.push(d);
      arm();
    });
    stream.once("end", done);
    arm();
  });
}
