/**
 * breakers list | reset <host-id>. Breakers live in each provisioner process: the answer is the
 * one replica's that answered, and says which.
 */
import { formatTable } from "../format/table.js";
import type { Command } from "./command.js";

export const listBreakers: Command = {
  noun: "breakers",
  verb: "list",
  args: [],
  options: [],
  summary: "Proxmox circuit breakers of the provisioner replica that answers",
  async run(ctx) {
    const res = await ctx.clients.provisioner.listBreakers({});
    const intro = `Breakers of provisioner replica ${res.replica} (each replica has its own; counters cover the last ~10 s):`;
    const table =
      res.items.length === 0
        ? "No breakers: this replica has not called any Proxmox host since it started."
        : formatTable(
            ["HOST", "STATE", "FIRES", "SUCCESSES", "FAILURES", "REJECTS"],
            res.items.map((b) => [
              b.key,
              b.state,
              String(b.fires),
              String(b.successes),
              String(b.failures),
              String(b.rejects),
            ]),
          );
    return { json: res, text: `${intro}\n${table}` };
  },
};

export const resetBreaker: Command = {
  noun: "breakers",
  verb: "reset",
  args: ["<host-id>"],
  options: [],
  summary: "forget a host's breaker on the replica that answers (others keep theirs)",
  async run(ctx) {
    const res = await ctx.clients.provisioner.resetBreaker({ hostId: ctx.args[0]! });
    const text = [
      `Breaker of host ${res.previous?.key ?? ctx.args[0]} reset on provisioner replica ${res.replica} (it was ${res.previous?.state ?? "unknown"}).`,
      "Only this replica: other replicas keep their own breakers (each half-opens by itself after its reset timeout).",
    ].join("\n");
    return { json: res, text };
  },
};
