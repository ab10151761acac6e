import { describe, expect, it } from "vitest";
import { z } from "zod";
import { NUL_MESSAGE, nulProblems, validatorCompiler } from "./validation.js";

const validate = (schema: z.ZodType, data: unknown) =>
  validatorCompiler({ schema, method: "POST", url: "/x", httpPart: "body" })(data) as {
    value?: unknown;
    error?: { instancePath: string; message: string }[];
  };

describe("validation", () => {
  it("nulProblems - finds NUL in values and keys at any depth, with the path of each", () => {
    expect(nulProblems({ a: "ok", b: ["x", "y\u0000"], c: { "d\u0000": 1, e: { f: "\u0000" } } })).toEqual([
      { code: "nul_character", path: ["b", 1], message: NUL_MESSAGE },
      { code: "nul_character", path: ["c"], message: "has a field name with a NUL character" },
      { code: "nul_character", path: ["c", "e", "f"], message: NUL_MESSAGE },
    ]);
    expect(nulProblems("\u0000")).toEqual([{ code: "nul_character", path: [], message: NUL_MESSAGE }]);
    expect(nulProblems({ a: "fine", n: 1, t: true, z: null })).toEqual([]);
  });

  it("nulProblems - walks a body nested tens of thousands of levels without overflowing the stack", () => {
    const deep = JSON.parse(`${"[".repeat(50_000)}"\\u0000"${"]".repeat(50_000)}`);
    const problems = nulProblems(deep);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.path).toHaveLength(50_000);
  });

  it("validatorCompiler - refuses NUL before the schema, whatever the schema allows", () => {
    const result = validate(z.object({ name: z.string(), extra: z.unknown() }), {
      name: "a\u0000",
      extra: { deep: ["\u0000"] },
    });
    expect(result.error?.map((e) => [e.instancePath, e.message])).toEqual([
      ["/name", NUL_MESSAGE],
      ["/extra/deep/0", NUL_MESSAGE],
    ]);
    expect(validate(z.object({ name: z.string() }), { name: "fine" })).toEqual({ value: { name: "fine" } });
  });

  it("validatorCompiler - names each unknown field of a strict object", () => {
    const result = validate(z.object({ a: z.string() }).strict(), { a: "x", tls_fingerprnt: "y" });
    expect(result.error?.map((e) => [e.instancePath, e.message])).toEqual([
      ["/tls_fingerprnt", "is not a known field"],
    ]);
  });
});
