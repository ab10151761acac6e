// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${NAME}` here is docker compose syntax, not a forgotten template.
import { ValidationError } from "@proximity/errors";
import { describe, expect, it } from "vitest";
import { readEnvFileValue, renderEnvFile } from "./env-file.js";

/**
 * Reads a `.env` the way docker compose v2 does (compose-go v2, dotenv/parser.go), for the
 * double-quoted `NAME="…"` lines renderEnvFile writes: inside the quotes a backslash before the
 * quote drops out, any other backslash pair is kept for the escape pass; the escape pass turns
 * `\\ \" \n \r \t …` into their characters and `\$` into `$$`; then interpolation replaces `$$`
 * with `$` and `${X}` / `$X` with earlier values (empty when unknown). Docker itself is not
 * installed where tests run, so this is the oracle; it interpolates on purpose, so a `$` the
 * renderer forgot to escape shows up as a changed value.
 */
function readLikeCompose(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let rest = text;
  for (;;) {
    rest = rest.replace(/^\s+/, "");
    if (rest === "") return out;
    if (rest.startsWith("#")) {
      rest = rest.slice(rest.indexOf("\n") + 1 || rest.length);
      continue;
    }
    const eq = rest.indexOf("=");
    const name = rest.slice(0, eq);
    if (eq < 0 || !/^[A-Za-z0-9_.\-[\]]+$/.test(name)) throw new Error(`bad key near ${rest.slice(0, 20)}`);
    rest = rest.slice(eq + 1);
    if (!rest.startsWith('"')) throw new Error(`unquoted value for ${name}`);
    let chars = "";
    let escaped = false;
    let end = -1;
    for (let i = 1; i < rest.length; i++) {
      const c = rest[i]!;
      if (c !== '"') {
        if (!escaped && c === "\\") {
          escaped = true;
          continue;
        }
        if (escaped) chars += "\\";
        escaped = false;
        chars += c;
        continue;
      }
      if (escaped) {
        escaped = false;
        chars += c;
        continue;
      }
      end = i;
      break;
    }
    if (end < 0) throw new Error(`unterminated quoted value for ${name}`);
    out[name] = interpolate(unescapeSequences(chars), out);
    rest = rest.slice(end + 1);
  }
}

function unescapeSequences(s: string): string {
  const simple: Record<string, string> = { a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v" };
  return s.replace(/\\(?:[abcfnrtv$"\\]|0\d{0,3})/g, (m) => {
    const c = m.slice(1);
    if (c === "$") return "$$";
    if (c === "\\" || c === '"') return c;
    if (c.startsWith("0")) return String.fromCharCode(Number.parseInt(c.slice(1) || "0", 8));
    return simple[c] ?? m;
  });
}

function interpolate(s: string, env: Record<string, string>): string {
  return s.replace(/\$(\$|\{([^}]*)\}|[A-Za-z_][A-Za-z0-9_]*)/g, (_m, what: string, braced?: string) => {
    if (what === "$") return "$";
    const name = (braced ?? what).split(/[:?+-]/)[0] ?? "";
    return env[name] ?? "";
  });
}

/** Deterministic PRNG (mulberry32) so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TRICKY = [
  "\\",
  '"',
  "'",
  "$",
  "{",
  "}",
  "#",
  "\n",
  "\r",
  "\t",
  " ",
  "=",
  "a",
  "0",
  "n",
  "é",
  "😀",
  "\\n",
  "$$",
  "${A}",
];

describe("renderEnvFile", () => {
  it("renderEnvFile - one double-quoted line per variable, sorted by name, final newline", () => {
    expect(renderEnvFile({ B: "2", A: "one two" })).toBe('A="one two"\nB="2"\n');
    expect(renderEnvFile({})).toBe("");
  });

  it("renderEnvFile - escapes exactly backslash, double quote, dollar, newline and carriage return", () => {
    expect(renderEnvFile({ K: 'a\\b"c$d\ne\rf' })).toBe('K="a\\\\b\\"c\\$d\\ne\\rf"\n');
    expect(renderEnvFile({ K: "it's # not a comment\t!" })).toBe('K="it\'s # not a comment\t!"\n');
  });

  it("renderEnvFile - values compose must read back unchanged", () => {
    const values = {
      QUOTES: `it's "quoted"`,
      DOLLARS: "$HOME ${USER} $$ $ ${X:-y} $(id)",
      BACKSLASHES: "C:\\dir\\n\\ and \\\\ and \\$ and \\\" and \\' and \\0123",
      TRAILING_BACKSLASH: "ends with \\",
      NEWLINES: "-----BEGIN KEY-----\nabc\r\ndef\n-----END KEY-----\n",
      HASH: "#not-a-comment # nor this",
      SPACES: "  padded  ",
      EMPTY: "",
      UNICODE: "héllo 😀 ✓",
      A: "a value others could reference",
    };
    const text = renderEnvFile(values);
    expect(readLikeCompose(text)).toEqual(values);
    // One line per variable: newlines inside values are escaped.
    expect(text.split("\n")).toHaveLength(Object.keys(values).length + 1);
  });

  it("renderEnvFile - random values of tricky characters round-trip (seeded)", () => {
    const random = prng(20240607);
    for (let round = 0; round < 500; round++) {
      const values: Record<string, string> = {};
      for (let v = 0; v < 3; v++) {
        let value = "";
        const length = Math.floor(random() * 24);
        for (let i = 0; i < length; i++) value += TRICKY[Math.floor(random() * TRICKY.length)];
        values[`V${v}`] = value;
      }
      const text = renderEnvFile(values);
      expect(readLikeCompose(text), text).toEqual(values);
    }
  });

  it("renderEnvFile - the oracle notices an unescaped value (it can fail)", () => {
    expect(readLikeCompose('A="x"\nB="$A\\\\"\n')).toEqual({ A: "x", B: "x\\" });
    expect(() => readLikeCompose('A="ends with \\"\n')).toThrow(/unterminated/);
  });

  it("renderEnvFile - refuses names compose cannot read and values that break the value rules", () => {
    for (const name of ["1BAD", "A=B", "A\nB", "A B", ""])
      expect(() => renderEnvFile({ [name]: "x" }), JSON.stringify(name)).toThrow(ValidationError);
    expect(() => renderEnvFile({ K: "nul\0" })).toThrow(ValidationError);
    expect(() => renderEnvFile({ K: "lone \uD800" })).toThrow(ValidationError);
    expect(() => renderEnvFile({ K: "x".repeat(4097) })).toThrow(ValidationError);
  });

  it("renderEnvFile - writes the platform's own PROXIMITY_PORT (reserved for users, not for the file)", () => {
    expect(renderEnvFile({ PROXIMITY_PORT: "30001" })).toBe('PROXIMITY_PORT="30001"\n');
  });

  it("renderEnvFile - the error names the variable, never the value", () => {
    const err = (() => {
      try {
        renderEnvFile({ SECRET: "hunter2\0" });
      } catch (e) {
        return e as ValidationError;
      }
      throw new Error("no error");
    })();
    expect(err.fieldErrors).toEqual([
      { field: "environment.SECRET", message: "must not contain a NUL byte" },
    ]);
    expect(JSON.stringify({ m: err.message, f: err.fieldErrors })).not.toContain("hunter2");
  });
});

describe("readEnvFileValue", () => {
  it("readEnvFileValue - reads back every value renderEnvFile wrote (seeded tricky values)", () => {
    const random = prng(20261203);
    for (let round = 0; round < 300; round++) {
      const values: Record<string, string> = {};
      for (let v = 0; v < 3; v++) {
        let value = "";
        const length = Math.floor(random() * 24);
        for (let i = 0; i < length; i++) value += TRICKY[Math.floor(random() * TRICKY.length)];
        values[`V${v}`] = value;
      }
      const text = renderEnvFile(values);
      for (const [name, value] of Object.entries(values))
        expect(readEnvFileValue(text, name), text).toBe(value);
    }
  });

  it("readEnvFileValue - undefined for a missing name, a prefix of another, or a line it did not write", () => {
    const text = renderEnvFile({ TOKEN_X: "a", TOKEN: 'b"$\\' });
    expect(readEnvFileValue(text, "TOKEN")).toBe('b"$\\');
    expect(readEnvFileValue(text, "TOKE")).toBeUndefined();
    expect(readEnvFileValue(text, "OTHER")).toBeUndefined();
    expect(readEnvFileValue("A=unquoted\n", "A")).toBeUndefined();
    expect(readEnvFileValue('A="dangling\\"\n', "A")).toBeUndefined();
    expect(readEnvFileValue('A="bad \\q"\n', "A")).toBeUndefined();
  });
});
