/**
 * POSIX shell quoting for commands sent over SSH. The node's login shell parses the command once,
 * `sh -c` inside the container parses the script once more: quoting must be exact for both.
 */
import { assertVmid } from "./validate.js";

/**
 * Quotes `s` as one POSIX shell word: wrapped in single quotes, each `'` written as `'\''`. Nothing is
 * special inside single quotes ($, `, \, newlines, "), so the word arrives byte for byte.
 * @example shellQuote("it's") // 'it'\''s'
 */
export function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/**
 * The node-side command running `script` in container `vmid`: `pct exec <vmid> -- sh -c '<script>'`.
 * `pct` receives `sh`, `-c` and the script as separate arguments. (The original product quoted the whole
 * `sh -c …` as one argument, so pct looked for a program named "sh -c …".)
 */
export function pctExecCommand(vmid: number, script: string): string {
  assertVmid(vmid);
  return `pct exec ${vmid} -- sh -c ${shellQuote(script)}`;
}

/**
 * Bounds a node-side command with coreutils `timeout`, so it dies even if the SSH channel close never
 * reaches it (without a pty the remote process survives a closed channel). `simple` commands (a single
 * program with arguments, like the pct line) are prefixed directly; anything else is run via `sh -c` so
 * that `timeout` covers the whole of a compound command (`a && b`, pipes, redirections).
 */
export function withRemoteTimeout(command: string, timeoutMs: number, simple: boolean): string {
  const secs = Math.max(1, Math.ceil(timeoutMs / 1000));
  return simple
    ? `timeout -s KILL ${secs} ${command}`
    : `timeout -s KILL ${secs} sh -c ${shellQuote(command)}`;
}
