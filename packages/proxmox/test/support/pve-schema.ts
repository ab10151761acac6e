/**
 * Checks recorded Proxmox API requests against the official schema (/work/shared/pve-api/schema.json):
 * the method and path must exist, every parameter must be declared, present when required, and fit
 * its type, enum, range, length, pattern and (for the formats the client uses) format.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** A request as the recording server saw it (values are the decoded wire strings). */
export interface RecordedRequest {
  readonly method: string;
  /** Path below /api2/json, still URL-encoded. */
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
}

interface PropSchema {
  type?: string;
  optional?: number;
  enum?: string[];
  minimum?: number | string;
  maximum?: number | string;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string | Record<string, PropSchema & { default_key?: number }>;
  requires?: string;
}

interface MethodInfo {
  parameters?: { properties?: Record<string, PropSchema> };
}

interface SchemaNode {
  path: string;
  info?: Record<string, MethodInfo>;
  children?: SchemaNode[];
}

const SCHEMA_PATH =
  process.env.PVE_SCHEMA_PATH ??
  fileURLToPath(new URL("../../../../../shared/pve-api/schema.json", import.meta.url));

function flatten(nodes: SchemaNode[], out: SchemaNode[] = []): SchemaNode[] {
  for (const n of nodes) {
    out.push(n);
    flatten(n.children ?? [], out);
  }
  return out;
}

let endpoints: SchemaNode[] | undefined;
function allEndpoints(): SchemaNode[] {
  endpoints ??= flatten(JSON.parse(readFileSync(SCHEMA_PATH, "utf8")) as SchemaNode[]);
  return endpoints;
}

/** Finds the endpoint template for a concrete path; literal segments beat `{param}` ones. */
export function matchEndpoint(
  path: string,
): { node: SchemaNode; pathParams: Record<string, string> } | undefined {
  const segs = path.split("/").slice(1);
  let best: { node: SchemaNode; pathParams: Record<string, string>; literals: number } | undefined;
  for (const node of allEndpoints()) {
    const tpl = node.path.split("/").slice(1);
    if (tpl.length !== segs.length) continue;
    const pathParams: Record<string, string> = {};
    let literals = 0;
    const ok = tpl.every((t, i) => {
      const seg = decodeURIComponent(segs[i]!);
      const m = /^\{(.+)\}$/.exec(t);
      if (m) {
        pathParams[m[1]!] = seg;
        return true;
      }
      literals++;
      return t === seg;
    });
    if (ok && (!best || literals > best.literals)) best = { node, pathParams, literals };
  }
  return best;
}

/** Returns the problems of one request; empty when it fits the schema. */
export function checkRequest(req: RecordedRequest): string[] {
  const where = `${req.method} ${req.path}`;
  const match = matchEndpoint(req.path.split("?")[0]!);
  if (!match) return [`${where}: path not in schema`];
  const info = match.node.info?.[req.method];
  if (!info) return [`${where}: method not declared for ${match.node.path}`];
  const props = info.parameters?.properties ?? {};
  const values: Record<string, string> = { ...match.pathParams, ...req.params };
  const problems: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    const schema = lookupProp(props, name);
    if (!schema) {
      problems.push(`${where}: parameter '${name}' is not declared`);
      continue;
    }
    for (const p of checkValue(schema, value)) problems.push(`${where}: '${name}' ${p}`);
    if (schema.requires && !(schema.requires in values))
      problems.push(`${where}: '${name}' requires '${schema.requires}'`);
  }
  for (const [name, schema] of Object.entries(props)) {
    if (!schema.optional && !name.includes("[n]") && !(name in values)) {
      problems.push(`${where}: required parameter '${name}' missing`);
    }
  }
  return problems;
}

function lookupProp(props: Record<string, PropSchema>, name: string): PropSchema | undefined {
  if (props[name]) return props[name];
  const m = /^(.*?)(\d+)$/.exec(name); // net0 → net[n]
  return m ? props[`${m[1]}[n]`] : undefined;
}

/** Checks one wire value against a property schema. */
export function checkValue(s: PropSchema, v: string): string[] {
  const out: string[] = [];
  if (s.type === "integer" && !/^-?\d+$/.test(v)) out.push(`'${v}' is not an integer`);
  if (s.type === "number" && !/^-?\d+(\.\d+)?$/.test(v)) out.push(`'${v}' is not a number`);
  if (s.type === "boolean" && !/^[01]$/.test(v)) out.push(`'${v}' is not a 0/1 boolean`);
  if ((s.type === "integer" || s.type === "number") && out.length === 0) {
    if (s.minimum !== undefined && Number(v) < Number(s.minimum)) out.push(`${v} < minimum ${s.minimum}`);
    if (s.maximum !== undefined && Number(v) > Number(s.maximum)) out.push(`${v} > maximum ${s.maximum}`);
  }
  if (s.enum && !s.enum.includes(v)) out.push(`'${v}' not in enum [${s.enum.join(", ")}]`);
  if (s.minLength !== undefined && v.length < s.minLength) out.push(`shorter than ${s.minLength}`);
  if (s.maxLength !== undefined && v.length > s.maxLength) out.push(`longer than ${s.maxLength}`);
  if (s.pattern && !perlRegex(s.pattern).test(v)) out.push(`'${v}' does not match ${s.pattern}`);
  if (typeof s.format === "string") {
    const re = FORMATS[s.format];
    if (re && !re(v)) out.push(`'${v}' is not a valid ${s.format}`);
  } else if (s.format) {
    out.push(...checkPropertyString(s.format, v));
  }
  return out;
}

/** PVE patterns are Perl regexes matched whole; `(?^:…)` is Perl's flag-reset group. */
function perlRegex(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern.replaceAll("(?^:", "(?:")})$`);
}

/** `key=value,…` property strings (net0, rootfs, features): keys declared, values well typed. */
function checkPropertyString(
  format: Record<string, PropSchema & { default_key?: number }>,
  v: string,
): string[] {
  const out: string[] = [];
  const defaultKey = Object.entries(format).find(([, p]) => p.default_key)?.[0];
  for (const part of v.split(",")) {
    const eq = part.indexOf("=");
    const key = eq < 0 ? defaultKey : part.slice(0, eq);
    const value = eq < 0 ? part : part.slice(eq + 1);
    const sub = key ? format[key] : undefined;
    if (!key || !sub) {
      out.push(`property '${part}' not declared in the format`);
      continue;
    }
    out.push(...checkValue(sub, value).map((p) => `(${key}) ${p}`));
  }
  return out;
}

const vmid = (v: string) => /^[1-9]\d{2,8}$/.test(v);
const dnsLabel = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/i;
const storageId = /^[a-z][a-z0-9\-_.]*[a-z0-9]$/i;
const CONTENT = ["images", "rootdir", "vztmpl", "iso", "backup", "snippets", "import"];

/** Format checkers for the formats the client's calls use; unknown formats are not checked. */
const FORMATS: Record<string, (v: string) => boolean> = {
  "pve-vmid": vmid,
  "pve-vmid-list": (v) => v.split(/[,;\s]+/).every(vmid),
  "pve-node": (v) => dnsLabel.test(v),
  "pve-storage-id": (v) => storageId.test(v),
  "pve-configid": (v) => /^[a-z][a-z0-9_-]+$/i.test(v),
  "pve-poolid": (v) => /^[a-z0-9_-]+$/i.test(v),
  "dns-name": (v) => v.split(".").every((l) => dnsLabel.test(l)),
  "pve-tag-list": (v) => v.split(/[;, ]+/).every((t) => /^[a-z0-9_][a-z0-9_\-+.]*$/i.test(t)),
  "pve-volume-id": (v) => /^[a-z][a-z0-9\-_.]*[a-z0-9]:.+$/i.test(v),
  "pve-storage-content": (v) => CONTENT.includes(v),
  "pve-storage-content-list": (v) => v.split(",").every((c) => CONTENT.includes(c)),
  "pve-configid-list": (v) => v.split(/[,;\s]+/).every((c) => /^[a-z][a-z0-9_-]+$/i.test(c)),
  "lxc-ip-with-ll-iface-list": (v) => v.split(/[,;\s]+/).every((a) => /^[0-9a-f.:%]+$/i.test(a)),
};
