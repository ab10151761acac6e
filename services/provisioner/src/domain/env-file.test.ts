import { ValidationError } from "@proximity/errors";
import { describe, expect, it } from "vitest";
import { quoteEnvValue, renderEnvFile } from "./env-file.js";

describe("renderEnvFile", () => {
  it("renderEnvFile - writes sorted single-quoted lines with a final newline", () => {
    expect(renderEnvFile({ B: "2", A: "one two" })).toBe("A='one two'\nB='2'\n");
  });

  it("renderEnvFile - is empty for no variables", () => {
    expect(renderEnvFile({})).toBe("");
  });

  it("quoteEnvValue - keeps $ and double quotes literal (single quotes: no interpolation)", () => {
    const value = 'a $HOME "x" $' + "{Y}";
    expect(quoteEnvValue("K", value)).toBe(`'${value}'`);
  });

  it("quoteEnvValue - escapes single quotes with a backslash", () => {
    expect(quoteEnvValue("K", "it's")).toBe("'it\\'s'");
  });

  it("quoteEnvValue - keeps newlines inside the quotes (multi-line values)", () => {
    expect(quoteEnvValue("K", "line1\nline2")).toBe("'line1\nline2'");
  });

  it("quoteEnvValue - keeps a backslash that cannot be read as an escape", () => {
    expect(quoteEnvValue("K", "C:\\dir\\x")).toBe("'C:\\dir\\x'");
  });

  it("quoteEnvValue - rejects values compose would misread", () => {
    expect(() => quoteEnvValue("K", "ends with \\")).toThrow(ValidationError);
    expect(() => quoteEnvValue("K", "a\\'b")).toThrow(ValidationError);
    expect(() => quoteEnvValue("K", "nul\0")).toThrow(ValidationError);
  });

  it("renderEnvFile - rejects invalid variable names", () => {
    expect(() => renderEnvFile({ "1BAD": "x" })).toThrow(ValidationError);
    expect(() => renderEnvFile({ "A=B": "x" })).toThrow(ValidationError);
    expect(() => renderEnvFile({ "A\nB": "x" })).toThrow(ValidationError);
  });
});
