import { execFileSync } from "node:child_process";
import { ValidationError } from "@proximity/errors";
import { describe, expect, it } from "vitest";
import { pctExecCommand, shellQuote } from "../src/index.js";

const TRICKY = [
  "plain",
  "",
  "it's",
  "''",
  `say "hi"`,
  "$HOME $(id) `id`",
  "back\\slash\\\\n",
  "line1\nline2\n",
  "tab\there; rm -rf / # not run",
  "ünïcödé ✓",
];

describe("shellQuote", () => {
  it.each(TRICKY)("shellQuote - %j survives one round through /bin/sh", (s) => {
    const out = execFileSync("/bin/sh", ["-c", `printf %s ${shellQuote(s)}`], { encoding: "utf8" });
    expect(out).toBe(s);
  });

  it("shellQuote - uses the POSIX '\\'' escape", () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });
});

describe("pctExecCommand", () => {
  it("pctExecCommand - passes sh, -c and the script as separate words", () => {
    expect(pctExecCommand(101, "echo 'hi'")).toBe(`pct exec 101 -- sh -c 'echo '\\''hi'\\'''`);
  });

  it("pctExecCommand - refuses ids that are not integers of at least 100", () => {
    for (const bad of [99, 0, -1, 100.5, Number.NaN])
      expect(() => pctExecCommand(bad, "true")).toThrow(ValidationError);
  });
});
