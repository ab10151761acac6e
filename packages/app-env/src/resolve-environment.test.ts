import { describe, expect, it } from "vitest";
import { type EnvVarDefinition, resolveEnvironment } from "./resolve-environment.js";

const def = (name: string, extra: Partial<EnvVarDefinition> = {}): EnvVarDefinition => ({
  name,
  description: `${name} setting`,
  defaultValue: "",
  required: false,
  secret: false,
  ...extra,
});

const wordpress = [
  def("WORDPRESS_DB_PASSWORD", { required: true, secret: true }),
  def("TZ", { defaultValue: "Etc/UTC" }),
  def("WORDPRESS_TABLE_PREFIX", { defaultValue: "wp_" }),
  def("WORDPRESS_DEBUG"),
];

describe("resolveEnvironment", () => {
  it("resolveEnvironment - applies defaults, splits secrets out of plain and keeps undeclared values", () => {
    const result = resolveEnvironment(wordpress, {
      WORDPRESS_DB_PASSWORD: "s3cr$t",
      WORDPRESS_TABLE_PREFIX: "blog_",
      EXTRA: "yes",
    });
    expect(result).toEqual({
      plain: { TZ: "Etc/UTC", WORDPRESS_TABLE_PREFIX: "blog_", EXTRA: "yes" },
      secret: { WORDPRESS_DB_PASSWORD: "s3cr$t" },
      problems: [],
    });
  });

  it("resolveEnvironment - a secret value never reaches plain", () => {
    const { plain, secret } = resolveEnvironment([def("API_KEY", { secret: true })], { API_KEY: "k" });
    expect(plain).toEqual({});
    expect(secret).toEqual({ API_KEY: "k" });
    expect(JSON.stringify(plain)).not.toContain('k"');
  });

  it("resolveEnvironment - a required variable without value nor default is refused; empty counts as none", () => {
    expect(resolveEnvironment(wordpress, {}).problems).toEqual([
      { field: "environment.WORDPRESS_DB_PASSWORD", message: "is required" },
    ]);
    expect(resolveEnvironment(wordpress, { WORDPRESS_DB_PASSWORD: "" }).problems).toEqual([
      { field: "environment.WORDPRESS_DB_PASSWORD", message: "is required" },
    ]);
    const withDefault = [def("PORT_NAME", { required: true, defaultValue: "web" })];
    expect(resolveEnvironment(withDefault, {})).toEqual({
      plain: { PORT_NAME: "web" },
      secret: {},
      problems: [],
    });
  });

  it("resolveEnvironment - an optional variable left empty falls back to its default or is left out", () => {
    const { plain } = resolveEnvironment(wordpress, {
      WORDPRESS_DB_PASSWORD: "p",
      TZ: "",
      WORDPRESS_DEBUG: "",
    });
    expect(plain).toEqual({ TZ: "Etc/UTC", WORDPRESS_TABLE_PREFIX: "wp_" });
  });

  it("resolveEnvironment - undeclared names follow the name and value rules (reserved names refused)", () => {
    const { plain, problems } = resolveEnvironment(wordpress, {
      WORDPRESS_DB_PASSWORD: "p",
      PROXIMITY_PORT: "80",
      compose_file: "x",
      BAD: "nul\0",
      FINE: "",
    });
    expect(problems).toEqual([
      { field: "environment.PROXIMITY_PORT", message: "is reserved" },
      { field: "environment.compose_file", message: "is reserved" },
      { field: "environment.BAD", message: "must not contain a NUL byte" },
    ]);
    expect(plain.FINE).toBe("");
  });

  it("resolveEnvironment - defaults count towards the bound on entries", () => {
    const many = Array.from({ length: 30 }, (_, i) => def(`D${i}`, { defaultValue: "d" }));
    const given = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`G${i}`, "g"]));
    expect(resolveEnvironment(many, given).problems).toEqual([
      { field: "environment", message: "must have at most 50 variables" },
    ]);
    expect(resolveEnvironment(many.slice(0, 20), given).problems).toEqual([]);
  });

  it("resolveEnvironment - does not modify its inputs", () => {
    const given = { WORDPRESS_DB_PASSWORD: "p" };
    resolveEnvironment(wordpress, given);
    expect(given).toEqual({ WORDPRESS_DB_PASSWORD: "p" });
  });
});
