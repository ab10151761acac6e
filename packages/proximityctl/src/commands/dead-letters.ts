/** dead-letters list | show <seq> | replay <seq>: the provisioner's view of the dead-letter stream. */
import type { provisionerV1 } from "@proximity/proto";
import { formatFields, formatTable, formatTime } from "../format/table.js";
import { type Command, intOption, seqArgument } from "./command.js";

/** `proximity.events.v1.AppDeployRequested` → `AppDeployRequested`. */
const shortType = (type: string) => type.replace(/^proximity\.events\.v\d+\./, "");

export const listDeadLetters: Command = {
  noun: "dead-letters",
  verb: "list",
  args: [],
  options: ["limit"],
  summary: "dead letters, newest first (--limit, default 50, at most 500)",
  async run(ctx) {
    const limit = intOption(ctx, "limit", { min: 1, max: 500 }) ?? 0;
    const res = await ctx.clients.provisioner.listDeadLetters({ limit });
    const text =
      res.items.length === 0
        ? "No dead letters."
        : formatTable(
            ["SEQ", "RECORDED", "CONSUMER", "EVENT", "EVENT ID", "DELIVERIES", "REPLAYED"],
            res.items.map((d) => [
              String(d.seq),
              formatTime(d.recordedAt),
              d.consumer,
              shortType(d.eventType),
              d.eventId,
              `${d.deliveries}${d.advisory ? " (process died)" : ""}`,
              d.replayedAt ? formatTime(d.replayedAt) : "",
            ]),
          );
    return { json: res, text };
  },
};

export const showDeadLetter: Command = {
  noun: "dead-letters",
  verb: "show",
  args: ["<seq>"],
  options: [],
  summary: "one dead letter: why it was given up, its operation, whether it can be replayed",
  async run(ctx) {
    const res = await ctx.clients.provisioner.getDeadLetter({ seq: seqArgument(ctx.args[0]!) });
    return { json: res, text: describeDeadLetter(res) };
  },
};

export const replayDeadLetter: Command = {
  noun: "dead-letters",
  verb: "replay",
  args: ["<seq>"],
  options: [],
  summary: "republish its request when its operation may still run (once per dead letter)",
  async run(ctx) {
    const res = await ctx.clients.provisioner.replayDeadLetter({ seq: seqArgument(ctx.args[0]!) });
    const text = [
      `Dead letter ${res.seq} replayed: event ${res.eventId} republished to ${res.subject} (stream sequence ${res.streamSeq}).`,
      `Operation ${res.operationId} runs again on the provisioner; follow it with: proximityctl apps operations <app-id>`,
    ].join("\n");
    return { json: res, text };
  },
};

function describeDeadLetter(res: provisionerV1.GetDeadLetterResponse): string {
  const d = res.deadLetter;
  return formatFields([
    ["seq", String(d?.seq ?? "")],
    ["recorded", formatTime(d?.recordedAt)],
    ["consumer", d?.consumer ?? ""],
    [
      "kind",
      d?.advisory ? "max-deliveries advisory (the processes died during every delivery)" : "consumer copy",
    ],
    ["event", `${shortType(d?.eventType ?? "")} ${d?.eventId ?? ""}`.trim()],
    ["original", d ? `${d.stream} #${d.streamSeq} (${d.subject || "subject unknown"})` : ""],
    ["deliveries", String(d?.deliveries ?? "")],
    ["reason", res.reason],
    ["operation", res.operationId],
    ["app", res.appId],
    ["operation status", res.operationStatus || (res.operationId ? "not in the journal" : "")],
    ["replayed", d?.replayedAt ? formatTime(d.replayedAt) : "no"],
    ["replayable", res.replayable ? "yes" : `no: ${res.notReplayableReason}`],
  ]);
}
