/**
 * The SSH executor: one reused, verified connection per (host, port, user), a bounded number of
 * concurrent commands per node, and deadlines enforced on both ends.
 */
import { UnavailableError } from "@proximity/errors";
import type { Logger } from "@proximity/logger";
import { inSpan, noopTracer, SpanKind, type Tracer } from "@proximity/telemetry";
import type { Client } from "ssh2";
import type { ExecOptions, ExecResult, SshExecutor, SshTarget } from "./api.js";
import { createKeyedLimiter, type KeyedLimiter } from "./keyed-limiter.js";
import { pctExecCommand, withRemoteTimeout } from "./shell-quote.js";
import { connectSsh } from "./ssh-connection.js";
import { ChannelOpenError, runCommand } from "./ssh-exec.js";

/** Collaborators and tuning of an executor. */
export interface SshExecutorDeps {
  readonly logger: Logger;
  /** Handshake + authentication deadline, default 30 000 ms. */
  readonly connectTimeoutMs?: number;
  /** Concurrent commands per node, default 4 (PVE's sshd MaxSessions is 10). */
  readonly maxConcurrentPerNode?: number;
  /** Default per-command deadline, default 60 000 ms. */
  readonly defaultTimeoutMs?: number;
  /** Keepalive probe interval, default 10 000 ms. */
  readonly keepaliveIntervalMs?: number;
  /** The service's tracer: one client span per command (host and exit code, never the command). */
  readonly tracer?: Tracer;
}

/**
 * Creates an executor. Close it on shutdown to end its connections.
 * @example
 * const ssh = createSshExecutor({ logger });
 * const r = await ssh.execInContainer(target, 101, "apt-get update && echo 'done'");
 */
export function createSshExecutor(deps: SshExecutorDeps): SshExecutor {
  return new SshExecutorImpl(deps);
}

class SshExecutorImpl implements SshExecutor {
  readonly #logger: Logger;
  readonly #connectTimeoutMs: number;
  readonly #keepaliveMs: number;
  readonly #defaultTimeoutMs: number;
  readonly #limiter: KeyedLimiter;
  readonly #tracer: Tracer;
  readonly #connections = new Map<string, PoolEntry>();
  #closed = false;

  constructor(deps: SshExecutorDeps) {
    this.#logger = deps.logger;
    this.#connectTimeoutMs = deps.connectTimeoutMs ?? 30_000;
    this.#keepaliveMs = deps.keepaliveIntervalMs ?? 10_000;
    this.#defaultTimeoutMs = deps.defaultTimeoutMs ?? 60_000;
    this.#limiter = createKeyedLimiter(deps.maxConcurrentPerNode ?? 4);
    this.#tracer = deps.tracer ?? noopTracer;
  }

  exec(target: SshTarget, command: string, options: ExecOptions = {}): Promise<ExecResult> {
    return this.#run(target, command, false, options);
  }

  execInContainer(
    target: SshTarget,
    vmid: number,
    script: string,
    options: ExecOptions = {},
  ): Promise<ExecResult> {
    return this.#run(target, pctExecCommand(vmid, script), true, options);
  }

  async close(): Promise<void> {
    this.#closed = true;
    const all = [...this.#connections.values()];
    this.#connections.clear();
    await Promise.all(all.map((e) => e.promise.then((c) => c.end()).catch(() => undefined)));
  }

  #run(target: SshTarget, command: string, simple: boolean, options: ExecOptions): Promise<ExecResult> {
    // The command is not recorded: scripts may name paths and values of the app.
    const attributes = {
      "server.address": target.host,
      "server.port": target.port,
      "proximity.ssh.in_container": simple,
    };
    return inSpan(
      this.#tracer,
      simple ? "ssh pct exec" : "ssh exec",
      { kind: SpanKind.CLIENT, attributes },
      async (span) => {
        const result = await this.#runTraced(target, command, simple, options);
        span.setAttribute("process.exit.code", result.code);
        return result;
      },
    );
  }

  async #runTraced(
    target: SshTarget,
    command: string,
    simple: boolean,
    options: ExecOptions,
  ): Promise<ExecResult> {
    const timeoutMs = options.timeoutMs ?? this.#defaultTimeoutMs;
    const remote = withRemoteTimeout(command, timeoutMs, simple);
    const run = { timeoutMs, stdin: options.stdin, host: target.host };
    return this.#limiter.run(`${target.host}:${target.port}`, async () => {
      const client = await this.#connection(target);
      try {
        return await runCommand(client, remote, run);
      } catch (err) {
        if (!(err instanceof ChannelOpenError)) throw err;
        // The pooled connection died unnoticed (node rebooted, idle drop): reconnect once.
        this.#drop(target, client);
        return runCommand(await this.#connection(target), remote, run);
      }
    });
  }

  #connection(target: SshTarget): Promise<Client> {
    if (this.#closed) return Promise.reject(new UnavailableError("The SSH executor is closed"));
    const key = connectionKey(target);
    const existing = this.#connections.get(key);
    if (existing) return existing.promise;
    const entry: PoolEntry = {
      promise: connectSsh(target, {
        connectTimeoutMs: this.#connectTimeoutMs,
        keepaliveIntervalMs: this.#keepaliveMs,
      }),
    };
    this.#connections.set(key, entry);
    entry.promise.then(
      (client) => {
        entry.client = client;
        client.on("close", () => this.#drop(target, client));
        client.on("error", (err) => this.#logger.warn({ host: target.host, err }, "SSH connection error"));
      },
      () => {
        if (this.#connections.get(key) === entry) this.#connections.delete(key); // the next call retries
      },
    );
    return entry.promise;
  }

  /** Forgets `client` (synchronously, so the next call connects afresh) and ends it. */
  #drop(target: SshTarget, client: Client): void {
    const key = connectionKey(target);
    if (this.#connections.get(key)?.client === client) this.#connections.delete(key);
    client.end();
  }
}

interface PoolEntry {
  readonly promise: Promise<Client>;
  client?: Client;
}

/**
 * Connections are shared only for the same host, port and user (credentials differ per user) and the
 * same expected host key: after an operator updates a fingerprint, the next call verifies it afresh.
 */
function connectionKey(t: SshTarget): string {
  return `${t.username}@${t.host}:${t.port}#${t.hostKeyFingerprint}`;
}
