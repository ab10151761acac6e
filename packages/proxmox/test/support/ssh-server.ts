/**
 * A real SSH server (ssh2) on 127.0.0.1 for executor tests. Commands run under /bin/sh with a fake
 * `pct` first on PATH (`pct exec <vmid> -- cmd…` just runs `cmd…`), so real shells decode the quoting.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { timingSafeEqual } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Server, utils } from "ssh2";
import { fingerprintOf } from "../../src/host-key.js";
import { sshKeyPair } from "./ssh-keys.js";

/** A running test SSH server. */
export interface TestSshServer {
  readonly port: number;
  /** OpenSSH fingerprint of its host key. */
  readonly fingerprint: string;
  readonly username: string;
  readonly password: string;
  /** Commands received, in order. */
  readonly commands: string[];
  /** Number of TCP connections accepted so far. */
  connections(): number;
  /** Processes still running (killed ones are removed). */
  running(): number;
  /** Closes every client connection from the server side (the server keeps listening). */
  dropConnections(): Promise<void>;
  close(): Promise<void>;
}

/** Starts the server with a fresh ed25519 host key and password auth. */
export async function startSshServer(): Promise<TestSshServer> {
  const hostKey = sshKeyPair();
  const parsed = utils.parseKey(hostKey.public);
  if (parsed instanceof Error) throw parsed;
  const fingerprint = fingerprintOf(parsed.getPublicSSH());
  const binDir = mkdtempSync(join(tmpdir(), "fake-pct-"));
  // Fake pct: drop "exec <vmid> --" and run the rest as given (what lxc-attach does inside the CT).
  writeFileSync(
    join(binDir, "pct"),
    '#!/bin/sh\n[ "$1" = exec ] && [ "$3" = "--" ] || exit 2\nshift 3\nexec "$@"\n',
  );
  chmodSync(join(binDir, "pct"), 0o755);
  const username = "root";
  const password = "s3cret-pw";
  const commands: string[] = [];
  const live = new Set<ChildProcess>();
  let connections = 0;
  const clients = new Set<{ end(): unknown; once(event: "close", fn: () => void): unknown }>();

  const server = new Server({ hostKeys: [hostKey.private] }, (client) => {
    connections++;
    clients.add(client);
    client.on("close", () => clients.delete(client));
    client.on("error", () => undefined);
    client.on("authentication", (ctx) => {
      const good =
        ctx.method === "password" &&
        ctx.username === username &&
        ctx.password.length === password.length &&
        timingSafeEqual(Buffer.from(ctx.password), Buffer.from(password));
      if (good) return ctx.accept();
      ctx.reject(["password"]);
    });
    client.on("session", (accept) => {
      const session = accept();
      let child: ChildProcess | undefined;
      session.on("exec", (acceptExec, _reject, info) => {
        commands.push(info.command);
        const stream = acceptExec();
        // Own process group, so a KILL reaches the whole tree (sh, timeout, the command).
        child = spawn("/bin/sh", ["-c", info.command], {
          env: { ...process.env, PATH: `${binDir}:${process.env.PATH}` },
          detached: true,
        });
        live.add(child);
        child.stdout?.pipe(stream, { end: false });
        child.stderr?.pipe(stream.stderr, { end: false });
        stream.pipe(child.stdin!);
        child.stdin?.on("error", () => undefined);
        stream.on("close", () => killTree(child));
        child.on("close", (code, signal) => {
          live.delete(child!);
          if (signal) stream.exit(signal.replace(/^SIG/, ""), false, "");
          else stream.exit(code ?? 0);
          stream.end();
        });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    fingerprint,
    username,
    password,
    commands,
    connections: () => connections,
    running: () => live.size,
    dropConnections: async () => {
      const closing = [...clients].map((c) => new Promise<void>((resolve) => c.once("close", resolve)));
      for (const c of clients) c.end();
      await Promise.all(closing);
    },
    close: () =>
      new Promise((resolve) => {
        for (const c of live) killTree(c);
        for (const c of clients) c.end();
        rmSync(binDir, { recursive: true, force: true });
        server.close(() => resolve());
      }),
  };
}

function killTree(child: ChildProcess | undefined): void {
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // already gone
  }
}
