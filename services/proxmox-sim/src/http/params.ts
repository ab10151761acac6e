/**
 * Request parameters the way pve-http-server reads them: query string merged with a form-urlencoded
 * or JSON body, then checked against the method's declared parameters (a compact copy of the
 * official schema, so the simulator rejects exactly what a real node rejects).
 */
import type { IncomingMessage } from "node:http";
import { PveError, paramError } from "../errors.js";

/**
 * One declared parameter: `"<type>[?][:<constraint>]"`; `?` = optional; the constraint is an enum
 * (`a|b|c`) for strings or a range (`100-999999999`) for integers. Keys like `net[n]` match net0, net1….
 */
export type ParamSpec = Readonly<Record<string, string>>;

/** Validated parameters, still as strings (PVE's handlers see strings too). */
export type Params = Readonly<Record<string, string>>;

const MAX_BODY = 1024 * 1024;

/** Reads the body and merges it with the query string (body wins, like PVE). */
export async function readParams(
  req: IncomingMessage,
  query: URLSearchParams,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [k, v] of query) out[k] = v;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new PveError(413, "Request Entity Too Large");
    chunks.push(chunk);
  }
  const body = Buffer.concat(chunks).toString("utf8");
  if (body.trim() === "") return out;
  const type = String(req.headers["content-type"] ?? "");
  if (type.includes("application/json")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new PveError(400, "malformed JSON body");
    }
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
      for (const [k, v] of Object.entries(parsed)) {
        if (v === null || v === undefined) continue;
        out[k] =
          typeof v === "boolean" ? (v ? "1" : "0") : typeof v === "object" ? JSON.stringify(v) : String(v);
      }
    }
  } else {
    for (const [k, v] of new URLSearchParams(body)) out[k] = v;
  }
  return out;
}

/** Checks `raw` against `spec`; throws the PVE 400 listing every bad parameter. */
export function validateParams(spec: ParamSpec, raw: Record<string, string>): Params {
  const errors: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    const decl = lookup(spec, name);
    if (decl === undefined) {
      errors[name] = "property is not defined in schema and the schema does not allow additional properties";
      continue;
    }
    const problem = checkValue(decl, value);
    if (problem) errors[name] = problem;
  }
  for (const [name, decl] of Object.entries(spec)) {
    if (name.includes("[n]") || decl.includes("?")) continue;
    if (raw[name] === undefined) errors[name] = "property is missing and it is not optional";
  }
  if (Object.keys(errors).length > 0) throw paramError(errors);
  return { ...raw };
}

function lookup(spec: ParamSpec, name: string): string | undefined {
  if (spec[name] !== undefined) return spec[name];
  const m = /^([a-z-]+)(\d+)$/.exec(name);
  return m ? spec[`${m[1]}[n]`] : undefined;
}

function checkValue(decl: string, value: string): string | undefined {
  const [typePart = "string", constraint] = decl.split(":", 2);
  const type = typePart.replace("?", "");
  if (type === "boolean") {
    return /^(0|1|true|false|yes|no|on|off)$/i.test(value)
      ? undefined
      : `type check ('boolean') failed - got '${value}'`;
  }
  if (type === "integer" || type === "number") {
    const ok =
      type === "integer"
        ? /^[+-]?\d+$/.test(value.trim())
        : Number.isFinite(Number(value)) && value.trim() !== "";
    if (!ok) return `type check ('${type}') failed - got '${value}'`;
    if (constraint) {
      const [min, max] = constraint.split("-").map(Number);
      const n = Number(value);
      if (min !== undefined && n < min) return `value must have a minimum value of ${min}`;
      if (max !== undefined && n > max) return `value must have a maximum value of ${max}`;
    }
    return undefined;
  }
  if (constraint && !constraint.split("|").includes(value)) {
    return `value '${value}' does not have a value in the enumeration '${constraint.split("|").join(", ")}'`;
  }
  return undefined;
}

/** PVE boolean: 1/true/yes/on. */
export function isTrue(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes|on)$/i.test(value);
}

/** An integer parameter the spec already validated. */
export function intParam(params: Params, name: string): number {
  return Number.parseInt(params[name] ?? "", 10);
}
