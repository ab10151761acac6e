/**
 * Admin endpoints outside `/api2/json` for driving the simulator from another process (the dev
 * stack, benchmarks): faults, host down, wrong host key, removing a volume behind the API's back, and
 * inspection of containers, of the commands the nodes received and of files inside containers. They need no authentication and keep
 * working while the simulated host is down; they live outside /api2/json, where the product's client
 * never goes, so nothing in the product can come to depend on them.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FaultSpec, SimCommand, SimContainer, SimGuestFile, SimRequestCounts } from "../api.js";
import type { FaultRegistry } from "../faults.js";
import { sendJson } from "./reply.js";

export interface AdminControls {
  readonly faults: FaultRegistry;
  setHostDown(down: boolean): void;
  setWrongHostKey(wrong: boolean): void;
  containers(): SimContainer[];
  commandLog(node?: string): SimCommand[];
  counts(): SimRequestCounts;
  guestFile(vmid: number, path: string): SimGuestFile | undefined;
  removeVolume(volid: string, node?: string): boolean;
}

/** Handles `/_sim/...`; `rest` is the path after `/_sim`. */
export async function handleAdmin(
  controls: AdminControls,
  req: IncomingMessage,
  res: ServerResponse,
  rest: string,
  query: URLSearchParams,
): Promise<void> {
  const method = req.method ?? "GET";
  const ok = (data: unknown) => sendJson(res, 200, { data });
  try {
    const body = method === "POST" || method === "PUT" ? await readJson(req) : undefined;
    const faultId = /^\/faults\/([^/]+)$/.exec(rest)?.[1];
    if (rest === "/faults" && method === "GET") return ok(controls.faults.list());
    if (rest === "/faults" && method === "POST") return ok({ id: controls.faults.add(body as FaultSpec) });
    if (rest === "/faults" && method === "DELETE") {
      controls.faults.clear();
      return ok(null);
    }
    if (faultId && method === "DELETE") {
      controls.faults.remove(decodeURIComponent(faultId));
      return ok(null);
    }
    if (rest === "/host-down" && method === "PUT") {
      // Answer first: going down drops every connection, this one included.
      const down = Boolean((body as { down?: unknown })?.down);
      res.once("finish", () => controls.setHostDown(down));
      return ok(null);
    }
    if (rest === "/wrong-host-key" && method === "PUT") {
      controls.setWrongHostKey(Boolean((body as { wrong?: unknown })?.wrong));
      return ok(null);
    }
    if (rest === "/containers" && method === "GET") return ok(controls.containers());
    if (rest === "/counts" && method === "GET") return ok(controls.counts());
    if (rest === "/commands" && method === "GET")
      return ok(controls.commandLog(query.get("node") ?? undefined));
    if (rest === "/volumes" && method === "DELETE") {
      const volid = query.get("volid") ?? "";
      if (controls.removeVolume(volid, query.get("node") ?? undefined)) return ok(null);
      return sendJson(res, 404, { data: null, message: `no volume '${volid}'\n` });
    }
    const fileOf = /^\/containers\/(\d+)\/file$/.exec(rest)?.[1];
    if (fileOf && method === "GET") {
      const file = controls.guestFile(Number(fileOf), query.get("path") ?? "");
      if (file) return ok(file);
      return sendJson(res, 404, { data: null, message: `no file '${query.get("path")}' in CT ${fileOf}\n` });
    }
    sendJson(res, 404, { data: null, message: `no admin endpoint ${method} /_sim${rest}\n` });
  } catch (err) {
    sendJson(res, 400, { data: null, message: `${err instanceof Error ? err.message : String(err)}\n` });
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString("utf8");
  return text.trim() === "" ? {} : JSON.parse(text);
}
