/**
 * Response contract: a response's `data` against the method's `returns` schema — JSON types,
 * enums, required properties (recursively through arrays and objects). Properties the schema does
 * not list are allowed, as PVE's own returns are open.
 */
import { findMethod } from "./endpoints.js";
import type { PropSchema } from "./types.js";

/** Problems of `data` returned by `method path` (empty = conforms). */
export function checkReturns(method: string, path: string, data: unknown): string[] {
  const info = findMethod(method, path);
  if (!info) return [`${method} ${path} is not in the schema`];
  // PVE answers null for a return the schema marks optional (e.g. storage content delete with `delay`).
  if (data === null && info.returns?.optional) return [];
  const problems: string[] = [];
  checkJson(info.returns ?? {}, data, "data", problems);
  return problems;
}

function checkJson(s: PropSchema, value: unknown, where: string, problems: string[]): void {
  const bad = (what: string) => problems.push(`${where}: expected ${what}, got ${JSON.stringify(value)}`);
  switch (s.type) {
    case "null":
      if (value !== null) bad("null");
      return;
    case "string":
      if (typeof value !== "string") bad("string");
      else if (s.enum && !s.enum.includes(value)) bad(`one of ${s.enum.join("|")}`);
      return;
    case "integer":
      if (!Number.isInteger(value)) bad("integer");
      return;
    case "number":
      if (typeof value !== "number") bad("number");
      return;
    case "boolean":
      // PVE serialises booleans as 0/1; JSON true/false also decode fine in clients.
      if (value !== 0 && value !== 1 && value !== true && value !== false) bad("boolean (0|1)");
      return;
    case "array":
      if (!Array.isArray(value)) return void bad("array");
      for (const [i, item] of value.entries()) checkJson(s.items ?? {}, item, `${where}[${i}]`, problems);
      return;
    case "object": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) return void bad("object");
      const obj = value as Record<string, unknown>;
      for (const [key, prop] of Object.entries(s.properties ?? {})) {
        if (obj[key] === undefined || obj[key] === null) {
          if (!prop.optional) problems.push(`${where}.${key}: required property missing`);
          continue;
        }
        checkJson(prop, obj[key], `${where}.${key}`, problems);
      }
      return;
    }
    default:
      return; // no type (or "any"): anything goes
  }
}
