/**
 * The world an SSH command runs in on a node: `pct`, the file utilities, a scratch file system
 * (for `pct push` sources) and a few PVE tools. Unknown programs are "not found".
 */

import { COREUTILS } from "../shell/coreutils.js";
import { createMemoryFs } from "../shell/memory-fs.js";
import type { Program, ShellWorld } from "../shell/types.js";
import type { SimContext } from "../sim-context.js";
import { pctProgram } from "./pct.js";

/** A node's world; `files`/`dirs` persist across commands of that node. */
export function createNodeWorld(
  sim: SimContext,
  node: string,
  files: Map<string, string>,
  dirs: Set<string>,
): ShellWorld {
  const programs: Record<string, Program> = {
    ...COREUTILS,
    pct: pctProgram(sim, node),
    pveversion: ({ out }) => {
      out("pve-manager/9.1.2/b5a13b8d1e2e4ef6 (running kernel: 6.14.8-2-pve)\n");
      return 0;
    },
    hostname: ({ out }) => {
      out(`${node}\n`);
      return 0;
    },
    uname: ({ out }) => {
      out("Linux\n");
      return 0;
    },
    sleep: () => 0,
  };
  return { fs: createMemoryFs(files, dirs), program: (name) => programs[name] };
}

/**
 * The command as the log records it: for `[timeout …] pct exec <id> -- sh -c '<script>'` (also
 * wrapped in `sh -c`), the decoded script; for other pct exec forms the argv joined by spaces;
 * otherwise the command line as received.
 */
export function describeCommand(command: string, split: (s: string) => string[]): string {
  let words: string[];
  try {
    words = split(command);
  } catch {
    return command; // operators or odd quoting: not a plain pct line
  }
  if (words[0] === "timeout") {
    let i = 1;
    while (words[i]?.startsWith("-")) i += /^(-s|-k|--signal|--kill-after)$/.test(words[i]!) ? 2 : 1;
    words = words.slice(i + 1);
  }
  if ((words[0] === "sh" || words[0] === "bash") && words[1] === "-c" && words.length === 3) {
    return describeCommand(words[2]!, split);
  }
  if (words[0] === "pct" && words[1] === "exec") {
    const rest = words.slice(words.indexOf("--") + 1);
    if ((rest[0] === "sh" || rest[0] === "bash") && rest[1] === "-c" && rest.length >= 3) return rest[2]!;
    return rest.join(" ");
  }
  return command;
}
