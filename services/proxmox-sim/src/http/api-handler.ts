/**
 * Handles one `/api2/json` request: injected faults, authentication (401s delayed like pveproxy),
 * routing (501 for unknown methods), parameter verification, then the route.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { PveError } from "../errors.js";
import { countRequest, type SimContext } from "../sim-context.js";
import { readParams, validateParams } from "./params.js";
import { sendData, sendError } from "./reply.js";
import { EnvelopeReply, matchRoute, type Route } from "./router.js";

export interface ApiHandlerOptions {
  readonly sim: SimContext;
  readonly routes: readonly Route[];
  readonly authFailureDelayMs: number;
  /** Requests left hanging by a "hang" fault; the server destroys them on stop. */
  readonly hung: Set<IncomingMessage>;
}

/** Answers `req` whose path after `/api2/json` is `rawPath` (still percent-encoded). */
export async function handleApi(
  options: ApiHandlerOptions,
  req: IncomingMessage,
  res: ServerResponse,
  rawPath: string,
  query: URLSearchParams,
): Promise<void> {
  const { sim } = options;
  const method = req.method ?? "GET";
  const path = decodePath(rawPath);
  // Counted as it arrives, like the SSH commands: a request a fault resets or fails is still asked.
  const match = matchRoute(options.routes, method, rawPath);
  countRequest(sim, match ? `${match.route.method} ${match.route.path}` : `${method} (no route)`);
  const fault = sim.faults.forHttp(method, path);
  if (fault?.kind === "reset") return void req.socket.destroy();
  if (fault?.kind === "hang") return void options.hung.add(req);
  if (fault?.kind === "latency") await sleep(fault.delayMs);
  if (fault?.kind === "http-error") return sendError(res, new PveError(fault.status, fault.message));
  try {
    const raw = await readParams(req, query);
    let principal = { user: "" };
    if (!match?.route.public) {
      try {
        principal = sim.auth.authenticate(method, req.headers);
      } catch (err) {
        // pveproxy answers every failed login late, to slow down guessing.
        if (options.authFailureDelayMs > 0) await sleep(options.authFailureDelayMs);
        throw err;
      }
    }
    if (!match) throw new PveError(501, `Method '${method} ${path}' not implemented`);
    const params = validateParams(match.route.params, { ...raw, ...match.pathParams });
    const result = await match.route.handle({ sim, params, principal, method, path });
    if (result instanceof EnvelopeReply) sendData(res, result.data, result.extra);
    else sendData(res, result ?? null);
  } catch (err) {
    sendError(res, err);
  }
}

function decodePath(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
