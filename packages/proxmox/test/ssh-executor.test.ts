import { Socket } from "node:net";
import { DeadlineExceededError, ValidationError } from "@proximity/errors";
import { utils } from "ssh2";
// @ts-expect-error ssh2 ships no types for its internal protocol module
import Protocol from "ssh2/lib/protocol/Protocol.js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  createSshExecutor,
  fingerprintOf,
  HostKeyMismatchError,
  SshAuthError,
  type SshExecutor,
  type SshTarget,
} from "../src/index.js";
import { memoryLogger } from "./support/logger.js";
import { sshKeyPair } from "./support/ssh-keys.js";
import { startSshServer, type TestSshServer } from "./support/ssh-server.js";

describe("createSshExecutor", () => {
  let server: TestSshServer;
  let target: SshTarget;

  beforeAll(async () => {
    server = await startSshServer();
    target = {
      host: "127.0.0.1",
      port: server.port,
      username: server.username,
      auth: { kind: "password", password: server.password },
      hostKeyFingerprint: server.fingerprint,
    };
  });
  afterAll(() => server.close());

  async function withExecutor<T>(
    fn: (ssh: SshExecutor) => Promise<T>,
    opts: { maxConcurrentPerNode?: number } = {},
  ) {
    const ssh = createSshExecutor({ logger: memoryLogger().logger, connectTimeoutMs: 5_000, ...opts });
    try {
      return await fn(ssh);
    } finally {
      await ssh.close();
    }
  }

  it("fingerprintOf - matches the OpenSSH SHA256 form", () => {
    const { public: pub } = sshKeyPair();
    const key = utils.parseKey(pub);
    if (key instanceof Error) throw key;
    expect(fingerprintOf(key.getPublicSSH())).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it("ssh - runs a command when the host key matches", async () => {
    const r = await withExecutor((ssh) => ssh.exec(target, "echo out; echo err >&2; exit 3"));
    expect(r).toEqual({ code: 3, stdout: "out\n", stderr: "err\n" });
    expect(server.commands.at(-1)).toBe(`timeout -s KILL 60 sh -c 'echo out; echo err >&2; exit 3'`);
  });

  it("ssh - each turn's packets leave in one write: a command's encrypted pieces are not written one by one", async () => {
    await withExecutor(async (ssh) => {
      await ssh.exec(target, "true"); // connected and authenticated
      const toServer = (socket: Socket) => socket.remotePort === server.port;
      const calls = { write: 0, writev: 0 };
      const original = { write: Socket.prototype._write, writev: Socket.prototype._writev };
      const spies = [
        vi.spyOn(Socket.prototype, "_write").mockImplementation(function (this: Socket, ...args) {
          if (toServer(this)) calls.write++;
          return original.write.apply(this, args);
        }),
        vi.spyOn(Socket.prototype, "_writev").mockImplementation(function (this: Socket, ...args) {
          if (toServer(this)) calls.writev++;
          return original.writev!.apply(this, args);
        }),
      ];
      try {
        expect(await ssh.exec(target, "echo hi")).toMatchObject({ code: 0, stdout: "hi\n" });
      } finally {
        for (const spy of spies) spy.mockRestore();
      }
      // Each packet is three pieces (length, body, MAC): written one by one, every turn with a
      // packet would be _write calls; coalesced, each turn is one _writev.
      expect(calls.writev).toBeGreaterThan(0);
      expect(calls.write).toBe(0);
    });
  });

  it("ssh - refuses a target without a configured fingerprint", async () => {
    const before = server.connections();
    const err = await withExecutor((ssh) => ssh.exec({ ...target, hostKeyFingerprint: "" }, "true")).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HostKeyMismatchError);
    expect((err as Error).message).toContain("No SSH host key fingerprint");
    expect(server.connections()).toBe(before);
  });

  it("ssh - refuses a changed host key", async () => {
    const other = "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU";
    const err = (await withExecutor((ssh) =>
      ssh.exec({ ...target, hostKeyFingerprint: other }, "true"),
    ).catch((e: unknown) => e)) as HostKeyMismatchError;
    expect(err).toBeInstanceOf(HostKeyMismatchError);
    expect(err.actual).toBe(server.fingerprint);
    expect(err.expected).toBe(other);
  });

  it("ssh - wrong credentials fail with SshAuthError without the password", async () => {
    const bad: SshTarget = { ...target, auth: { kind: "password", password: "wrong-one" } };
    const err = (await withExecutor((ssh) => ssh.exec(bad, "true")).catch((e: unknown) => e)) as SshAuthError;
    expect(err).toBeInstanceOf(SshAuthError);
    expect(err.message).not.toContain("wrong-one");
  });

  it("ssh - reuses one connection per target and bounds concurrency", async () => {
    const before = server.connections();
    const started = Date.now();
    await withExecutor((ssh) => Promise.all(Array.from({ length: 4 }, () => ssh.exec(target, "sleep 0.2"))), {
      maxConcurrentPerNode: 2,
    });
    expect(server.connections() - before).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400); // 4 commands, 2 at a time
  });

  it("ssh - a connection closed by the server is dropped from the pool; the next call reconnects", async () => {
    await withExecutor(async (ssh) => {
      const before = server.connections();
      await ssh.exec(target, "true");
      await ssh.exec(target, "true");
      expect(server.connections() - before).toBe(1); // pooled
      await server.dropConnections();
      await new Promise((r) => setTimeout(r, 200)); // the client sees the close
      expect((await ssh.exec(target, "echo again")).stdout).toBe("again\n");
      expect(server.connections() - before).toBe(2); // same server, same key: a new connection
      expect((await ssh.exec(target, "echo pooled")).stdout).toBe("pooled\n");
      expect(server.connections() - before).toBe(2);
    });
  });

  it("ssh - a pooled connection that died unnoticed is replaced on the next call", async () => {
    await withExecutor(async (ssh) => {
      const before = server.connections();
      await ssh.exec(target, "true");
      // No wait: the call races the close, and must still succeed on a fresh connection.
      await server.dropConnections();
      expect((await ssh.exec(target, "echo again")).stdout).toBe("again\n");
      expect(server.connections() - before).toBe(2);
    });
  });

  it("ssh - a command past its deadline is killed and rejected", async () => {
    // ssh2's test server drops signal requests on exec channels, so the KILL is observed on the wire
    // side of the client: its protocol layer must have been asked to send it.
    const signalSpy = vi.spyOn(Protocol.prototype, "signal");
    const started = Date.now();
    const err = await withExecutor((ssh) => ssh.exec(target, "sleep 5", { timeoutMs: 300 })).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DeadlineExceededError);
    expect(Date.now() - started).toBeLessThan(2_000);
    // coreutils timeout runs the command in its own process group, out of reach of the channel's KILL:
    // the node-side `timeout -s KILL 1` is what ends it, within about a second.
    for (let i = 0; i < 30 && server.running() > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(server.running()).toBe(0);
    expect(signalSpy).toHaveBeenCalledWith(expect.any(Number), "KILL");
    expect(server.commands.at(-1)).toBe(`timeout -s KILL 1 sh -c 'sleep 5'`);
  });

  it("ssh - stdin is forwarded and closed", async () => {
    const r = await withExecutor((ssh) =>
      ssh.execInContainer(target, 101, "cat | tr a-z A-Z", { stdin: "hello\n" }),
    );
    expect(r.stdout).toBe("HELLO\n");
  });

  it("ssh - execInContainer sends exactly pct exec <vmid> -- sh -c '<script>'", async () => {
    await withExecutor((ssh) => ssh.execInContainer(target, 101, "echo 'hi'"));
    expect(server.commands.at(-1)).toBe(`timeout -s KILL 60 pct exec 101 -- sh -c 'echo '\\''hi'\\'''`);
  });

  it("ssh - execInContainer refuses an invalid vmid", async () => {
    await expect(withExecutor((ssh) => ssh.execInContainer(target, 42, "true"))).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  it("ssh - quoting: quotes, $HOME, backticks, backslashes, newlines and a heredoc arrive intact", async () => {
    const script = [
      `printf '%s\\n' "it's a \\"test\\""`,
      "printf '%s\\n' '$HOME stays literal' \"$HOME\" | head -1",
      "echo `echo backticks` \\\\back\\\\slash",
      "cat <<'EOF'",
      "heredoc line with 'single' and \"double\" and $HOME and `x`",
      "EOF",
      "printf 'multi\\nline\\n'",
    ].join("\n");
    const local = await import("node:child_process").then((cp) =>
      cp.execFileSync("/bin/sh", ["-c", script], { encoding: "utf8" }),
    );
    const r = await withExecutor((ssh) => ssh.execInContainer(target, 101, script));
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(local);
    expect(r.stdout).toContain("heredoc line with 'single' and \"double\" and $HOME and `x`");
    expect(r.stdout).toContain("$HOME stays literal");
  });
});
