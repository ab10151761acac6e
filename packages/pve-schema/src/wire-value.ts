/**
 * Checks one request parameter as it travels on the wire (a string) against its schema: type,
 * range, enum, length, pattern and format, including `key=value,…` property strings.
 */
import { FORMATS } from "./formats.js";
import type { PropSchema } from "./types.js";

/** Problems of wire value `v` (empty = fits). */
export function checkWireValue(s: PropSchema, v: string): string[] {
  const out: string[] = [];
  if (s.type === "integer" && !/^-?\d+$/.test(v)) out.push(`'${v}' is not an integer`);
  if (s.type === "number" && !/^-?\d+(\.\d+)?$/.test(v)) out.push(`'${v}' is not a number`);
  // PVE accepts 1/0 (and words) but the client must send 1/0, so the contract is strict here.
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
    const ok = FORMATS[s.format];
    if (ok && !ok(v)) out.push(`'${v}' is not a valid ${s.format}`);
  } else if (s.format) {
    out.push(...checkPropertyString(s.format, v));
  }
  return out;
}

/** PVE patterns are Perl regexes matched whole; `(?^:…)` is Perl's flag-reset group. */
function perlRegex(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern.replaceAll("(?^:", "(?:")})$`);
}

/** `key=value,…` (net0, rootfs, features): every key declared, every value well typed. */
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
    out.push(...checkWireValue(sub, value).map((p) => `(${key}) ${p}`));
  }
  return out;
}
