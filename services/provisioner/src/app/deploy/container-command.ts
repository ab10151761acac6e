/**
 * Commands inside the app container, over SSH to the node (`execInContainer` does the `pct exec`
 * quoting). A non-zero exit becomes a ContainerCommandError carrying stderr for the failure reason,
 * with the app's environment values masked before it is logged or kept.
 */
import { maskValues } from "../../domain/mask-values.js";
import type { DeployAttempt, HostConnection } from "./deploy-context.js";
import { ContainerCommandError } from "./errors.js";

/** Output kept from a failed command, for logs (the reason quotes its last line only). */
const KEPT_OUTPUT_CHARS = 2_000;

/** Runs `script` in container `vmid`; resolves with stdout when it exits 0. */
export async function runInContainer(
  a: DeployAttempt,
  connection: HostConnection,
  vmid: number,
  command: { what: string; script: string; long?: boolean },
): Promise<string> {
  const { settings, ssh } = a.deps;
  a.signal.throwIfAborted();
  const timeoutMs = command.long ? settings.sshLongCommandTimeoutMs : settings.sshCommandTimeoutMs;
  const result = await ssh.execInContainer(connection.sshTarget, vmid, command.script, { timeoutMs });
  if (result.code === 0) return result.stdout;
  const output = maskValues(
    (result.stderr || result.stdout).slice(-KEPT_OUTPUT_CHARS),
    Object.values(a.request.environment),
  );
  a.log.warn({ vmid, what: command.what, exitCode: result.code, output }, "command failed in container");
  throw new ContainerCommandError(command.what, result.code, output);
}
