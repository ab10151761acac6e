/**
 * Resolves concrete request paths (`/nodes/pve1/lxc/101/config`) to schema templates
 * (`/nodes/{node}/lxc/{vmid}/config`) and their method entries.
 */
import { allEndpoints } from "./load.js";
import type { MethodInfo, SchemaNode } from "./types.js";

export interface EndpointMatch {
  readonly node: SchemaNode;
  /** Decoded values of the `{param}` segments. */
  readonly pathParams: Record<string, string>;
}

/** The template for a concrete path (query string ignored); literal segments beat `{param}` ones. */
export function matchEndpoint(path: string): EndpointMatch | undefined {
  const segs = path.split("?")[0]!.split("/").filter(Boolean);
  let best: (EndpointMatch & { literals: number }) | undefined;
  for (const node of allEndpoints()) {
    const tpl = node.path.split("/").filter(Boolean);
    if (tpl.length !== segs.length) continue;
    const pathParams: Record<string, string> = {};
    let literals = 0;
    const ok = tpl.every((t, i) => {
      const seg = safeDecode(segs[i]!);
      const m = /^\{(.+)\}$/.exec(t);
      if (m) {
        pathParams[m[1]!] = seg;
        return seg !== "";
      }
      literals++;
      return t === seg;
    });
    if (ok && (!best || literals > best.literals)) best = { node, pathParams, literals };
  }
  return best && { node: best.node, pathParams: best.pathParams };
}

/** The schema entry of `method` on a concrete path, or undefined when the schema lacks it. */
export function findMethod(method: string, path: string): MethodInfo | undefined {
  return matchEndpoint(path)?.node.info?.[method];
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
