/**
 * Opens one verified SSH connection to a node. The host key is always checked against the configured
 * OpenSSH fingerprint; a node without one is refused rather than trusted on first use.
 */
import { Socket } from "node:net";
import { UnavailableError } from "@proximity/errors";
import { Client, type ConnectConfig } from "ssh2";
import type { SshTarget } from "./api.js";
import { coalesceWrites } from "./coalesced-writes.js";
import { HostKeyMismatchError, SshAuthError } from "./errors.js";
import { fingerprintOf, normalizeHostFingerprint } from "./host-key.js";

/** Connection tuning. */
export interface SshConnectOptions {
  readonly connectTimeoutMs: number;
  /** Keepalive probe interval; 3 unanswered probes drop the connection. */
  readonly keepaliveIntervalMs: number;
}

/** Connects and authenticates; rejects with HostKeyMismatchError, SshAuthError or UnavailableError. */
export function connectSsh(target: SshTarget, options: SshConnectOptions): Promise<Client> {
  const expected = normalizeHostFingerprint(target.hostKeyFingerprint ?? "");
  if (expected === "") return Promise.reject(new HostKeyMismatchError(target.host, ""));
  return new Promise((resolve, reject) => {
    const client = new Client();
    // Connected here rather than by ssh2, so that its packets, written in pieces, leave whole.
    const socket = new Socket();
    let presented: string | undefined;
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      client.end();
      socket.destroy();
      reject(err);
    };
    client.once("ready", () => {
      settled = true;
      // Commands are short request/response exchanges: without TCP_NODELAY each small packet
      // (EOF, exit status, close) can wait ~40 ms on a delayed ACK.
      client.setNoDelay(true);
      resolve(client);
    });
    client.on("error", (err: Error & { level?: string }) => {
      if (presented !== undefined && presented !== expected) {
        return fail(new HostKeyMismatchError(target.host, expected, presented));
      }
      if (err.level === "client-authentication")
        return fail(new SshAuthError(target.host, target.username, err));
      fail(new UnavailableError(`The SSH connection to ${target.host} failed`, err));
    });
    client.once("close", () =>
      fail(new UnavailableError(`The SSH connection to ${target.host} closed early`)),
    );
    const config: ConnectConfig = {
      sock: socket,
      host: target.host,
      port: target.port,
      username: target.username,
      readyTimeout: options.connectTimeoutMs,
      keepaliveInterval: options.keepaliveIntervalMs,
      keepaliveCountMax: 3,
      // Without hostVerifier ssh2 accepts any key. The raw key blob is hashed here, not via hostHash,
      // so the comparison is with exactly what OpenSSH prints.
      hostVerifier: (key: Buffer) => {
        presented = fingerprintOf(key);
        return presented === expected;
      },
      ...(target.auth.kind === "password"
        ? { password: target.auth.password, tryKeyboard: false }
        : { privateKey: target.auth.privateKey, passphrase: target.auth.passphrase }),
    };
    try {
      coalesceWrites(socket.connect({ host: target.host, port: target.port }));
      client.connect(config);
    } catch (err) {
      // ssh2 throws synchronously for an unparsable private key or a wrong passphrase.
      fail(new SshAuthError(target.host, target.username, err));
    }
  });
}
