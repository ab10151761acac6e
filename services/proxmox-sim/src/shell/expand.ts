/**
 * Word expansion: parameters (`$X`, `${X}`, `${X:-d}`), command substitution, `~`, and field
 * splitting of unquoted expansion results. No globbing: scripts here name files exactly.
 */
import type { Word } from "./tokenizer.js";
import type { ShellEnv } from "./types.js";

export interface ExpandContext {
  readonly env: ShellEnv;
  readonly lastCode: number;
  /** Runs a command substitution, returning its stdout. */
  readonly substitute: (script: string) => string;
}

/** Expands to zero or more fields (unquoted empty expansions vanish, as in sh). */
export function expandWord(word: Word, ctx: ExpandContext): string[] {
  const fields: string[] = [];
  let current = "";
  let has = false;
  word.parts.forEach((part, index) => {
    if (part.type === "lit") {
      const text = !part.quoted && index === 0 ? expandTilde(part.text, ctx.env) : part.text;
      current += text;
      has ||= part.quoted || text !== "";
      return;
    }
    const value =
      part.type === "var" ? parameter(part.name, ctx) : ctx.substitute(part.script).replace(/\n+$/, "");
    if (part.quoted) {
      current += value;
      has = true;
      return;
    }
    value.split(/[ \t\n]+/).forEach((piece, i) => {
      if (i > 0 && has) {
        fields.push(current);
        current = "";
        has = false;
      }
      current += piece;
      has ||= piece !== "";
    });
  });
  if (has) fields.push(current);
  return fields;
}

/** Expands to exactly one string (assignments, redirection targets, here-doc bodies). */
export function expandToString(word: Word, ctx: ExpandContext): string {
  return word.parts
    .map((p) =>
      p.type === "lit"
        ? p.text
        : p.type === "var"
          ? parameter(p.name, ctx)
          : ctx.substitute(p.script).replace(/\n+$/, ""),
    )
    .join("");
}

/** Expands `$X`, `${X}` and `$(…)` in an unquoted here-doc body. */
export function expandHereDoc(body: string, ctx: ExpandContext): string {
  return body
    .replace(/\\([$`\\])/g, "\uE000$1")
    .replace(/\$\{([^}]+)\}|\$([A-Za-z_]\w*|[?$#])|\$\(([^()]*)\)/g, (_m, braced, bare, cmd) =>
      cmd !== undefined ? ctx.substitute(cmd).replace(/\n+$/, "") : parameter(braced ?? bare, ctx),
    )
    .replace(/\uE000(.)/g, "$1");
}

function parameter(expr: string, ctx: ExpandContext): string {
  const m = /^([A-Za-z_]\w*|[0-9?$#@*!-])(?::?([-=+?])(.*))?$/s.exec(expr);
  if (expr.startsWith("#")) return String((lookup(expr.slice(1), ctx) ?? "").length);
  if (!m) return "";
  const value = lookup(m[1]!, ctx);
  const op = m[2];
  const empty = value === undefined || (expr.includes(`:${op}`) && value === "");
  if (op === "-" || op === "=") {
    if (empty && op === "=") ctx.env.vars.set(m[1]!, m[3] ?? "");
    return empty ? (m[3] ?? "") : (value ?? "");
  }
  if (op === "+") return empty ? "" : (m[3] ?? "");
  return value ?? "";
}

function lookup(name: string, ctx: ExpandContext): string | undefined {
  if (name === "?") return String(ctx.lastCode);
  if (name === "$") return "4242";
  if (name === "#") return "0";
  if (name === "PWD") return ctx.env.cwd;
  return ctx.env.vars.get(name);
}

function expandTilde(text: string, env: ShellEnv): string {
  if (text === "~" || text.startsWith("~/")) return (env.vars.get("HOME") ?? "/root") + text.slice(1);
  return text;
}
