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

  it("validatorCompiler - one bound per side and field: the tightest, once (int's safe bound beside a max)", () => {
    const schema = z.object({ page: z.coerce.number().int().min(1).max(1_000_000) });
    expect(validate(schema, { page: "1e300" }).error?.map((e) => [e.instancePath, e.message])).toEqual([
      ["/page", "must be at most 1000000"],
    ]);
    const twice = z.object({ a: z.string() }).refine(() => false, { path: ["a"], message: "is wrong" });
    const both = twice.refine(() => false, { path: ["a"], message: "is wrong" });
    expect(validate(both, { a: "x" }).error?.map((e) => [e.instancePath, e.message])).toEqual([
      ["/a", "is wrong"],
    ]);
    // Different problems of one field are all said.
    const two = z.object({ a: z.string().max(2).regex(/^\d+$/, "must be digits") });
    expect(validate(two, { a: "abc" }).error?.map((e) => e.message)).toEqual([
      "must be at most 2 characters",
      "must be digits",
    ]);
  });

  it("validatorCompiler - formats are explained with an example, never in zod's words", () => {
    const schema = z.object({ id: z.uuid(), at: z.iso.datetime(), code: z.string().regex(/^x$/) });
    expect(validate(schema, { id: "1", at: "soon", code: "y" }).error?.map((e) => e.message)).toEqual([
      "must be a UUID such as 123e4567-e89b-42d3-a456-426614174000",
      "must be a date and time with its time zone, such as 2030-01-31T12:00:00Z",
      "is not in the expected format",
    ]);
  });
});
