/**
 * Contract checks against the official PVE API schema (/work/shared/pve-api/schema.json, tests
 * only): finds the method for a concrete path, validates a response `data` against `returns`,
 * and checks that every request parameter is declared and well-typed.
 */
import { readFileSync } from "node:fs";

interface SchemaType {
  type?: string;
  optional?: number;
  enum?: string[];
  items?: SchemaType;
  properties?: Record<string, SchemaType>;
  minimum?: number;
  maximum?: number;
}

interface MethodInfo {
  parameters?: { properties?: Record<string, SchemaType> };
  returns?: SchemaType;
}

interface SchemaNode {
  path: string;
  info?: Record<string, MethodInfo>;
  children?: SchemaNode[];
}

let tree: SchemaNode[] | undefined;

function schema(): SchemaNode[] {
  tree ??= JSON.parse(
    readFileSync(new URL("../../../../../shared/pve-api/schema.json", import.meta.url), "utf8"),
  ) as SchemaNode[];
  return tree;
}

/** The schema entry for `method` on a concrete path like `/nodes/pve1/lxc/100/config`. */
export function findMethod(method: string, path: string): MethodInfo | undefined {
  const segments = path.split("/").filter(Boolean).map(decodeURIComponent);
  let nodes = schema();
  let found: SchemaNode | undefined;
  for (const seg of segments) {
    const last = (n: SchemaNode) => n.path.split("/").pop() ?? "";
    found = nodes.find((n) => last(n) === seg) ?? nodes.find((n) => last(n).startsWith("{"));
    if (!found) return undefined;
    nodes = found.children ?? [];
  }
  return found?.info?.[method];
}

/** Problems of `data` against the `returns` schema (empty = conforms). */
export function checkReturns(method: string, path: string, data: unknown): string[] {
  const info = findMethod(method, path);
  if (!info) return [`${method} ${path} is not in the schema`];
  const problems: string[] = [];
  checkValue(info.returns ?? {}, data, "data", problems);
  return problems;
}

/** Problems of request parameters (undeclared names, wrong types, out of enum/range). */
export function checkParams(method: string, path: string, params: Record<string, string>): string[] {
  const info = findMethod(method, path);
  if (!info) return [`${method} ${path} is not in the schema`];
  const declared = info.parameters?.properties ?? {};
  const problems: string[] = [];
  for (const [name, value] of Object.entries(params)) {
    const decl = declared[name] ?? declared[name.replace(/\d+$/, "[n]")];
    if (!decl) {
      problems.push(`parameter ${name} is not declared`);
      continue;
    }
    const t = decl.type;
    if (t === "integer" && !/^-?\d+$/.test(value)) problems.push(`${name}: not an integer`);
    if (t === "number" && !Number.isFinite(Number(value))) problems.push(`${name}: not a number`);
    if (t === "boolean" && !/^(0|1)$/.test(value)) problems.push(`${name}: boolean must be 0|1`);
    if (decl.enum && !decl.enum.includes(value)) problems.push(`${name}: ${value} not in enum`);
    if (decl.minimum !== undefined && Number(value) < decl.minimum) problems.push(`${name}: below minimum`);
    if (decl.maximum !== undefined && Number(value) > decl.maximum) problems.push(`${name}: above maximum`);
  }
  return problems;
}

function checkValue(s: SchemaType, value: unknown, where: string, problems: string[]): void {
  const bad = (what: string): void => {
    problems.push(`${where}: expected ${what}, got ${JSON.stringify(value)}`);
  };
  switch (s.type) {
    case undefined:
      return;
    case "null":
      if (value !== null) bad("null");
      return;
    case "string":
      if (typeof value !== "string") {
        bad("string");
        return;
      }
      if (s.enum && !s.enum.includes(value)) bad(`one of ${s.enum.join("|")}`);
      return;
    case "integer":
      if (!Number.isInteger(value)) bad("integer");
      return;
    case "number":
      if (typeof value !== "number") bad("number");
      return;
    case "boolean":
      if (value !== 0 && value !== 1 && value !== true && value !== false) bad("boolean (0|1)");
      return;
    case "array":
      if (!Array.isArray(value)) {
        bad("array");
        return;
      }
      for (const [i, item] of value.entries()) checkValue(s.items ?? {}, item, `${where}[${i}]`, problems);
      return;
    case "object": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        bad("object");
        return;
      }
      const obj = value as Record<string, unknown>;
      for (const [key, prop] of Object.entries(s.properties ?? {})) {
        if (obj[key] === undefined) {
          if (!prop.optional) problems.push(`${where}.${key}: required property missing`);
          continue;
        }
        checkValue(prop, obj[key], `${where}.${key}`, problems);
      }
      return;
    }
    default:
      return;
  }
}
