/**
 * Runs one command on an open SSH connection: collects output, feeds stdin, and enforces the
 * client-side deadline (KILL signal, then channel close).
 */
import { constants } from "node:os";
import { DeadlineExceededError, UnavailableError } from "@proximity/errors";
import type { Client, ClientChannel } from "ssh2";
import type { ExecResult } from "./api.js";

/** Settings of one execution. */
export interface RunOptions {
  readonly timeoutMs: number;
  readonly stdin?: string;
  /** For error messages only. */
  readonly host: string;
}

/** Thrown when the channel could not be opened (e.g. the pooled connection died); worth one retry. */
export class ChannelOpenError extends UnavailableError {}

/** Executes `command`; resolves with any exit code, rejects on transport failure or deadline. */
export function runCommand(client: Client, command: string, options: RunOptions): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onStream = (err: Error | undefined, stream: ClientChannel) => {
      if (err) return reject(new ChannelOpenError(`Could not run a command on ${options.host}`, err));
      const out: Buffer[] = [];
      const errOut: Buffer[] = [];
      let code: number | undefined;
      let done = false;
      timer = setTimeout(() => {
        done = true;
        kill(stream);
        reject(new DeadlineExceededError(`The command on ${options.host} timed out`));
      }, options.timeoutMs);
      stream.on("data", (d: Buffer) => out.push(d));
      stream.stderr.on("data", (d: Buffer) => errOut.push(d));
      stream.on("exit", (exitCode: number | null, signal?: string) => {
        code = exitCode ?? 128 + (signalNumber(signal) ?? 0);
      });
      stream.on("close", () => {
        clearTimeout(timer);
        if (done) return;
        done = true;
        if (code === undefined) {
          return reject(
            new UnavailableError(`The SSH channel to ${options.host} closed without an exit status`),
          );
        }
        resolve({
          code,
          stdout: Buffer.concat(out).toString("utf8"),
          stderr: Buffer.concat(errOut).toString("utf8"),
        });
      });
      // Always send EOF, so a command reading stdin does not wait forever.
      stream.end(options.stdin);
    };
    try {
      client.exec(command, onStream);
    } catch (err) {
      // ssh2 throws synchronously when the connection is already gone.
      reject(new ChannelOpenError(`Could not run a command on ${options.host}`, err));
    }
  });
}

function kill(stream: ClientChannel): void {
  try {
    sendKill(stream); // many servers ignore it; the remote `timeout -s KILL` is the real guard
  } catch {
    // channel already gone
  }
  stream.close();
}

/** The parts of ssh2's channel internals `sendKill` relies on. */
interface ChannelInternals {
  readonly outgoing?: { readonly id: number; readonly state: string };
  readonly _client?: { readonly _protocol?: { signal(id: number, name: string): void } };
}

/**
 * ClientChannel.signal() silently does nothing once our side sent EOF (it checks `writable`), and we
 * always send EOF so that commands reading stdin finish. RFC 4254 allows a signal after EOF, so the
 * request goes through the protocol object underneath when it is there, else through the public method.
 */
function sendKill(stream: ClientChannel): void {
  const ch = stream as unknown as ChannelInternals;
  const state = ch.outgoing?.state;
  if ((state === "open" || state === "eof") && ch._client?._protocol && ch.outgoing) {
    ch._client._protocol.signal(ch.outgoing.id, "KILL");
  } else {
    stream.signal("KILL");
  }
}

function signalNumber(name: string | undefined): number | undefined {
  if (!name) return undefined;
  const key = (name.startsWith("SIG") ? name : `SIG${name}`) as keyof typeof constants.signals;
  return constants.signals[key];
}
