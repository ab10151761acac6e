/** apps operations <app-id>: the provisioner's journal of one app, newest first, with each operation's steps. */
import { formatTable, formatTime } from "../format/table.js";
import { type Command, intOption } from "./command.js";

export const appOperations: Command = {
  noun: "apps",
  verb: "operations",
  args: ["<app-id>"],
  options: ["limit"],
  summary: "an app's operations and their steps, newest first (--limit, default 20, at most 100)",
  async run(ctx) {
    const appId = ctx.args[0]!;
    const limit = intOption(ctx, "limit", { min: 1, max: 100 }) ?? 0;
    const res = await ctx.clients.provisioner.listAppOperations({ appId, limit });
    if (res.items.length === 0)
      return {
        json: res,
        text: `No operations recorded for app ${appId}: the provisioner's journal has none (a wrong id, or an app whose requests never reached the provisioner).`,
      };
    const blocks = res.items.map((op) => {
      const where = `${op.hostId}/${op.node}${op.vmid ? ` vmid ${op.vmid}` : ""}`;
      const lines = [
        `${op.kind} ${op.id}  ${op.status}  attempts ${op.attempts}  ${where}  created ${formatTime(op.createdAt)}  updated ${formatTime(op.updatedAt)}`,
      ];
      if (op.claimedBy && op.claimedUntil)
        lines.push(
          `  claimed by ${op.claimedBy} until ${formatTime(op.claimedUntil)}${op.claimedUntil.getTime() < Date.now() ? " (expired: that worker is gone; the next delivery takes over)" : ""}`,
        );
      if (op.lastError) lines.push(`  last error: ${op.lastError}`);
      if (op.steps.length > 0)
        lines.push(
          formatTable(
            ["STEP", "STATUS", "UPDATED", "UPID"],
            op.steps.map((s) => [s.name, s.status, formatTime(s.updatedAt), s.upid]),
          )
            .split("\n")
            .map((l) => `  ${l}`)
            .join("\n"),
        );
      return lines.join("\n");
    });
    return { json: res, text: blocks.join("\n\n") };
  },
};
