/**
 * hosts check <host-id>: asks the hosts service for a check now (the provisioner, which alone
 * holds the credentials, connects to the host and reports back) and, unless --no-wait, waits for
 * the report to land on the host and shows it.
 */
import type { hostsV1 } from "@proximity/proto";
import { CommandFailed, UsageError } from "../exit-codes.js";
import { formatTable, formatTime } from "../format/table.js";
import { type Command, intOption } from "./command.js";

const POLL_MS = 500;

export const checkHost: Command = {
  noun: "hosts",
  verb: "check",
  args: ["<host-id>"],
  options: ["wait", "no-wait"],
  summary: "run a host check now and show its result (--wait <s>, default 30; --no-wait)",
  async run(ctx) {
    const id = ctx.args[0]!;
    const noWait = ctx.options["no-wait"] === true;
    if (noWait && ctx.options.wait !== undefined)
      throw new UsageError("--wait and --no-wait exclude each other");
    const waitMs = (intOption(ctx, "wait", { min: 1, max: 600 }) ?? 30) * 1000;
    const { hosts } = ctx.clients;
    const before = (await hosts.getHost({ id })).host;
    const { checkId } = await hosts.checkHost({ id });
    if (noWait)
      return {
        json: { checkId, checked: false },
        text: `Host check ${checkId} requested for host ${id}; the provisioner reports it asynchronously.`,
      };
    const deadline = Date.now() + waitMs;
    for (;;) {
      const { host } = await hosts.getHost({ id });
      if (host && isNewer(host.lastCheckedAt, before?.lastCheckedAt))
        return { json: { checkId, checked: true, host }, text: describeHost(host) };
      if (Date.now() >= deadline)
        throw new CommandFailed(
          `host check ${checkId} was requested, but no result reached host ${id} within ${waitMs / 1000} s: is the provisioner consuming host-check requests? (proximityctl dead-letters list; the provisioner's and hosts' logs)`,
        );
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  },
};

function isNewer(at: Date | undefined, than: Date | undefined): boolean {
  return at !== undefined && (than === undefined || at.getTime() > than.getTime());
}

function describeHost(host: hostsV1.Host): string {
  const version = host.pveVersion ? `, Proxmox VE ${host.pveVersion}` : "";
  const lines = [
    `Host ${host.id} (${host.name}): ${host.status}, checked ${formatTime(host.lastCheckedAt)}${version}`,
  ];
  if (host.lastCheckError) lines.push(`Last check error: ${host.lastCheckError}`);
  if (host.nodes.length > 0)
    lines.push(
      formatTable(
        ["NODE", "STATUS", "CPU", "MEMORY", "SSH HOST KEY"],
        host.nodes.map((n) => [
          n.name,
          n.status,
          `${Math.round(n.cpu * 100)}%`,
          n.maxMemBytes ? `${gib(n.memBytes)}/${gib(n.maxMemBytes)} GiB` : "",
          n.sshHostKeyFingerprint || (n.trustOnFirstUse ? "awaiting first use" : ""),
        ]),
      ),
    );
  return lines.join("\n");
}

function gib(bytes: number): string {
  return (bytes / 1024 ** 3).toFixed(1);
}
