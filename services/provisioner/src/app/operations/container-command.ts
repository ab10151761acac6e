/**
 * Commands inside the app container, over SSH to the node (`execInContainer` does the `pct exec`
 * quoting). A non-zero exit becomes a ContainerCommandError carrying stderr for the failure reason,
 * with the app's environment and secret values (`a.masked`) masked before it is logged or kept.
 */
import { maskValues } from "../../domain/mask-values.js";
import type { Attempt, HostConnection } from "./context.js";
import { ContainerCommandError } from "./errors.js";

/** Output kept from a failed command, for logs (the reason quotes its last line only). */
const KEPT_OUTPUT_CHARS = 2_000;

/** Runs `script` in container `vmid`; resolves with stdout when it exits 0. */
export async function runInContainer(
  a: Attempt,
  connection: HostConnection,
  vmid: number,
  command: { what: string; script: string; long?: boolean; stdin?: string },
): Promise<string> {
  const { settings, ssh } = a.deps;
  a.signal.throwIfAborted();
  const timeoutMs = command.long ? settings.sshLongCommandTimeoutMs : settings.sshCommandTimeoutMs;
  // Content (files, secret values) travels on stdin, never in the command line: a node's process
  // list shows command lines to every local user.
  const options = command.stdin === undefined ? { timeoutMs } : { timeoutMs, stdin: command.stdin };
  const result = await ssh.execInContainer(connection.sshTarget, vmid, command.script, options);
  if (result.code === 0) return result.stdout;
  const output = maskValues((result.stderr || result.stdout).slice(-KEPT_OUTPUT_CHARS), a.masked);
  a.log.warn({ vmid, what: command.what, exitCode: result.code, output }, "command failed in container");
  throw new ContainerCommandError(command.what, result.code, output);
}
