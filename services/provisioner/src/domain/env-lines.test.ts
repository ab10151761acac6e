import { describe, expect, it } from "vitest";
import { envLineValue, replaceEnvLines } from "./env-lines.js";

describe("env lines", () => {
  it("envLineValue - reads a simple value, quoted or not, and only at the start of a line", () => {
    const text = "A='1'\nCOMPOSE_PROJECT_NAME='app-1'\nB=\"x\"\nC=plain\nX='COMPOSE_PROJECT_NAME=no'\n";
    expect(envLineValue(text, "COMPOSE_PROJECT_NAME")).toBe("app-1");
    expect(envLineValue(text, "B")).toBe("x");
    expect(envLineValue(text, "C")).toBe("plain");
    expect(envLineValue(text, "MISSING")).toBeUndefined();
  });

  it("replaceEnvLines - drops the named entries and appends their new lines", () => {
    const text = "A='1'\nPROXIMITY_PORT='30001'\nSECRET='s3cret'\n";
    expect(replaceEnvLines(text, ["PROXIMITY_PORT"], "PROXIMITY_PORT='30002'\n")).toBe(
      "A='1'\nSECRET='s3cret'\nPROXIMITY_PORT='30002'\n",
    );
  });

  it("replaceEnvLines - works on an empty file", () => {
    expect(replaceEnvLines("", ["P"], "P='1'\n")).toBe("P='1'\n");
  });
});
