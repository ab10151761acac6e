/**
 * `pct` on a node: exec (into the container shell), status, list, start, stop, config, push.
 * Errors are Perl dies: message on stderr, exit status 255.
 */

import { runArgv } from "../shell/interpreter.js";
import { createMemoryFs } from "../shell/memory-fs.js";
import { type Program, type ProgramIO, resolvePath } from "../shell/types.js";
import type { SimContext } from "../sim-context.js";
import { missingConfigMessage } from "../state/cluster.js";
import { type ContainerRecord, markRunning, markStopped } from "../state/container.js";
import { createContainerWorld } from "./container-shell.js";

class PctDie extends Error {}

/** The `pct` program of `node`. */
export function pctProgram(sim: SimContext, node: string): Program {
  return (io) => {
    try {
      return runPct(sim, node, io);
    } catch (err) {
      if (!(err instanceof PctDie)) throw err;
      io.err(`${err.message}\n`);
      return 255;
    }
  };
}

function runPct(sim: SimContext, node: string, io: ProgramIO): number {
  const [sub, ...args] = io.argv.slice(1);
  const ct = () => {
    const vmid = Number(args[0]);
    const found = sim.cluster.find(vmid);
    if (!found || found.node !== node) throw new PctDie(missingConfigMessage(node, vmid));
    return found;
  };
  switch (sub) {
    case "exec":
      return exec(sim, ct(), args, io);
    case "status":
      io.out(`status: ${ct().status}\n`);
      return 0;
    case "list":
      io.out(listTable(sim.cluster.list(node)));
      return 0;
    case "start": {
      const c = ct();
      if (c.lock) throw new PctDie(`CT is locked (${c.lock})`);
      if (c.status === "running") throw new PctDie(`CT ${c.vmid} already running`);
      markRunning(c);
      return 0;
    }
    case "stop":
    case "shutdown": {
      const c = ct();
      if (c.lock) throw new PctDie(`CT is locked (${c.lock})`);
      if (c.status !== "running") throw new PctDie(`CT ${c.vmid} not running`);
      markStopped(c);
      return 0;
    }
    case "config":
      io.out(
        Object.entries(ct().config)
          .map(([k, v]) => `${k}: ${v}\n`)
          .join(""),
      );
      return 0;
    case "push": {
      const c = ct();
      if (c.status !== "running") throw new PctDie(`container '${c.vmid}' not running!`);
      const content = io.env.world.fs.read(io.env.resolve(args[1] ?? ""));
      if (content === undefined) throw new PctDie(`file '${args[1]}' does not exist`);
      const perms = args.indexOf("--perms") >= 0 ? args[args.indexOf("--perms") + 1] : undefined;
      const mode = perms !== undefined && /^[0-7]{1,4}$/.test(perms) ? Number.parseInt(perms, 8) : 0o644;
      const fs = createMemoryFs(c.guest.files, c.guest.dirs, c.guest.modes);
      fs.write(resolvePath("/", args[2] ?? ""), content, false, mode);
      fs.chmod(resolvePath("/", args[2] ?? ""), mode);
      return 0;
    }
    default:
      throw new PctDie(`ERROR: unknown command 'pct ${sub ?? ""}'`);
  }
}

/** `pct exec <vmid> [--keep-env 0|1] -- cmd args…`: lxc-attach's status is pct's status. */
function exec(sim: SimContext, ct: ContainerRecord, args: readonly string[], io: ProgramIO): number {
  const dashes = args.indexOf("--");
  const argv = dashes >= 0 ? args.slice(dashes + 1) : args.slice(1).filter((a) => !a.startsWith("--"));
  if (ct.status !== "running") throw new PctDie(`container '${ct.vmid}' not running!`);
  if (argv.length === 0) throw new PctDie("missing command");
  const r = runArgv(createContainerWorld(ct, sim.faults), argv, io.stdin);
  io.out(r.stdout);
  io.err(r.stderr);
  return r.code;
}

function listTable(cts: readonly ContainerRecord[]): string {
  const row = (a: string, b: string, c: string, d: string) =>
    `${a.padEnd(10)} ${b.padEnd(10)} ${c.padEnd(12)} ${d}\n`;
  return (
    row("VMID", "Status", "Lock", "Name") +
    cts.map((c) => row(String(c.vmid), c.status, c.lock ?? "", String(c.config.hostname ?? ""))).join("")
  );
}
