import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { baseServiceEnv, ConfigError, env, loadConfig } from "./index.js";

const KNOWN = "ZGV2LW9ubHk="; // base64 of "dev-only"
const schema = z.object({
  PROXIMITY_MODE: baseServiceEnv.PROXIMITY_MODE,
  API_KEY: env.secret({
    knownDevelopmentValues: [KNOWN],
    normalize: (v) => Buffer.from(v, "base64").toString("hex"),
  }),
  OPTIONAL_TOKEN: env.secret({ knownDevelopmentValues: ["dev-token"] }).optional(),
});

function problemsOf(source: Record<string, string | undefined>): string[] {
  try {
    loadConfig(schema, source);
    return [];
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).problems];
  }
}

describe("env.secret", () => {
  it("env.secret - a missing or empty secret is a start-up error naming it", () => {
    expect(problemsOf({})).toEqual(["API_KEY: required but not set"]);
    expect(problemsOf({ API_KEY: "" })).toEqual(["API_KEY: must not be empty"]);
  });

  it("env.secret - a known development value is refused in production (the default mode)", () => {
    expect(problemsOf({ API_KEY: KNOWN })).toEqual([
      expect.stringMatching(/^API_KEY: is a published development value/),
    ]);
    expect(problemsOf({ API_KEY: KNOWN, PROXIMITY_MODE: "production" })).toHaveLength(1);
  });

  it("env.secret - another spelling of the known value (normalised) is refused too", () => {
    expect(problemsOf({ API_KEY: "ZGV2LW9ubHk" })).toHaveLength(1); // unpadded
    expect(problemsOf({ API_KEY: "ZGV2LW9ubHkh" })).toEqual([]); // "dev-only!": another key
  });

  it("env.secret - an optional secret holding a known value is refused as well", () => {
    expect(problemsOf({ API_KEY: "c2VjcmV0", OPTIONAL_TOKEN: "dev-token" })).toEqual([
      expect.stringMatching(/^OPTIONAL_TOKEN: is a published development value/),
    ]);
  });

  it("env.secret - development mode accepts a known value; an own value is accepted in production", () => {
    expect(
      problemsOf({ API_KEY: KNOWN, OPTIONAL_TOKEN: "dev-token", PROXIMITY_MODE: "development" }),
    ).toEqual([]);
    expect(loadConfig(schema, { API_KEY: "c2VjcmV0" }).API_KEY).toBe("c2VjcmV0");
  });
});

describe("loadConfig - <NAME>_FILE", () => {
  const dir = mkdtempSync(join(tmpdir(), "config-file-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("loadConfig - reads a variable from the file <NAME>_FILE names, without its trailing newline", () => {
    const file = join(dir, "api-key");
    writeFileSync(file, "c2VjcmV0\n");
    expect(loadConfig(schema, { API_KEY_FILE: file }).API_KEY).toBe("c2VjcmV0");
  });

  it("loadConfig - a value from a file obeys the same rules (a known development value is refused)", () => {
    const file = join(dir, "known");
    writeFileSync(file, KNOWN);
    expect(problemsOf({ API_KEY_FILE: file })).toEqual([expect.stringMatching(/^API_KEY: is a published/)]);
  });

  it("loadConfig - an unreadable file or both forms at once are named problems", () => {
    expect(problemsOf({ API_KEY_FILE: join(dir, "missing") })).toEqual([
      `API_KEY_FILE: cannot read ${join(dir, "missing")} (ENOENT)`,
      "API_KEY: required but not set",
    ]);
    const file = join(dir, "both");
    writeFileSync(file, "c2VjcmV0");
    expect(problemsOf({ API_KEY: "c2VjcmV0", API_KEY_FILE: file })).toEqual([
      "API_KEY_FILE: set either API_KEY or API_KEY_FILE, not both",
    ]);
  });

  it("loadConfig - a schema that declares <NAME>_FILE itself keeps its own meaning", () => {
    const own = z.object({ KEY: z.string().optional(), KEY_FILE: z.string().optional() });
    expect(loadConfig(own, { KEY_FILE: "/no/such/file" })).toEqual({ KEY_FILE: "/no/such/file" });
  });
});
