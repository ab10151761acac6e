/**
 * The route table: path templates with `{param}` segments, each method with its declared
 * parameters and handler. Path parameters join the request parameters, as in PVE.
 */
import type { SimContext } from "../sim-context.js";
import type { Principal } from "./auth.js";
import type { ParamSpec, Params } from "./params.js";

export interface RouteContext {
  readonly sim: SimContext;
  readonly params: Params;
  readonly principal: Principal;
  readonly method: string;
  /** The path after /api2/json, e.g. "/nodes/pve1/lxc". */
  readonly path: string;
}

/** A response with extra envelope fields (task log `total`). */
export class EnvelopeReply {
  constructor(
    readonly data: unknown,
    readonly extra: Readonly<Record<string, unknown>>,
  ) {}
}

export interface Route {
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  readonly path: string;
  readonly params: ParamSpec;
  /** Allowed without authentication (only /access/ticket). */
  readonly public?: boolean;
  readonly handle: (ctx: RouteContext) => unknown;
}

export interface RouteMatch {
  readonly route: Route;
  readonly pathParams: Record<string, string>;
}

/** Finds the route for `method` and the raw (still percent-encoded) path. */
export function matchRoute(
  routes: readonly Route[],
  method: string,
  rawPath: string,
): RouteMatch | undefined {
  const segments = rawPath.split("/").filter(Boolean);
  for (const route of routes) {
    if (route.method !== method) continue;
    const pattern = route.path.split("/").filter(Boolean);
    if (pattern.length !== segments.length) continue;
    const pathParams: Record<string, string> = {};
    const ok = pattern.every((p, i) => {
      const seg = safeDecode(segments[i]!);
      if (p.startsWith("{")) {
        pathParams[p.slice(1, -1)] = seg;
        return seg !== "";
      }
      return p === seg;
    });
    if (ok) return { route, pathParams };
  }
  return undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
