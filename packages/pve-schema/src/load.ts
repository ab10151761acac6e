/**
 * Loads the schema once per process from the copy vendored in this package (`schema/`, with its
 * version and origin in `schema/README.md`); PVE_SCHEMA_PATH overrides it (e.g. a newer release).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { SchemaNode } from "./types.js";

const DEFAULT_PATH = fileURLToPath(new URL("../schema/schema.json", import.meta.url));

let cached: SchemaNode[] | undefined;

/** Every endpoint of the schema, flattened (parents before children). */
export function allEndpoints(): SchemaNode[] {
  cached ??= flatten(
    JSON.parse(readFileSync(process.env.PVE_SCHEMA_PATH ?? DEFAULT_PATH, "utf8")) as SchemaNode[],
  );
  return cached;
}

function flatten(nodes: SchemaNode[], out: SchemaNode[] = []): SchemaNode[] {
  for (const n of nodes) {
    out.push(n);
    flatten(n.children ?? [], out);
  }
  return out;
}
