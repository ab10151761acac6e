import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError, env, loadConfig } from "./index.js";

const schema = z.object({
  DATABASE_URL: env.postgresUrl(),
  GRPC_PORT: env.port(50051),
  VERBOSE: env.bool(false),
});

describe("loadConfig", () => {
  it("loadConfig - applies defaults and coerces values, frozen", () => {
    const config = loadConfig(schema, { DATABASE_URL: "postgres://x/y", VERBOSE: "1" });
    expect(config).toEqual({ DATABASE_URL: "postgres://x/y", GRPC_PORT: 50051, VERBOSE: true });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("loadConfig - names every missing or bad variable at once", () => {
    const err = (() => {
      try {
        loadConfig(schema, { GRPC_PORT: "70000", VERBOSE: "maybe" });
      } catch (e) {
        return e;
      }
    })() as ConfigError;
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.problems).toHaveLength(3);
    expect(err.message).toContain("DATABASE_URL: required but not set");
    expect(err.message).toContain("GRPC_PORT");
    expect(err.message).toContain("VERBOSE");
  });
});
