// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${NAME}` here is docker compose syntax, not a forgotten template.
import { describe, expect, it } from "vitest";
import { type CatalogFile, catalogFileSchema } from "./catalog-item.js";
import { catalogItemProblems } from "./catalog-rules.js";

/** A valid file; each test breaks one thing. */
function file(overrides: Partial<Record<keyof CatalogFile, unknown>> = {}): CatalogFile {
  return catalogFileSchema.parse({
    id: "demo",
    name: "Demo",
    description: "A demo app",
    category: "Web",
    version: "1.0",
    port: 8080,
    cores: 1,
    memory_mb: 128,
    disk_gb: 1,
    environment: [
      { name: "DB_PASSWORD", description: "database password", required: true, secret: true },
      { name: "TZ", description: "time zone", default: "UTC" },
    ],
    compose: `
services:
  app:
    image: example/app:1.0
    ports:
      - "\${PROXIMITY_PORT:-8080}:8080"
    environment:
      DB_PASSWORD: \${DB_PASSWORD}
      TZ: \${TZ:-UTC}
      LANG: \${LANG:-C.UTF-8}
      HEALTH: "curl localhost:8080/$$PATH"
`,
    ...overrides,
  });
}

const compose = (body: string) => ({ compose: `services:\n  app:\n    image: example/app:1.0\n${body}` });
const withImage = (image: string) => ({ compose: `services:\n  app:\n    image: ${image}\n${port}` });
const port = `    ports:\n      - "\${PROXIMITY_PORT:-8080}:8080"\n`;

describe("catalogItemProblems", () => {
  it("catalog rules - a consistent file has no problems", () => {
    expect(catalogItemProblems(file())).toEqual([]);
  });

  it("catalog rules - the compose file must parse and declare services", () => {
    expect(catalogItemProblems(file({ compose: "services: [unclosed" }))[0]).toMatchObject({
      path: "compose",
      message: expect.stringMatching(/^is not valid YAML/),
    });
    for (const text of ["volumes:\n  x:\n", "services: {}\n", "just text", "services:\n"])
      expect(catalogItemProblems(file({ compose: text, environment: [] })), text).toEqual([
        { path: "compose", message: "must declare at least one service under `services`" },
      ]);
  });

  it("catalog rules - every service runs a pinned image", () => {
    const problems = (image: string) => catalogItemProblems(file({ ...withImage(image), environment: [] }));
    expect(problems("nginx")).toEqual([
      {
        path: "compose",
        message: 'service "app": image "nginx" must name a version (a tag other than latest, or a digest)',
      },
    ]);
    expect(problems("nginx:latest")).toHaveLength(1);
    expect(problems("registry.local:5000/team/app")).toHaveLength(1);
    expect(problems("registry.local:5000/team/app:2.1")).toEqual([]);
    expect(problems(`nginx@sha256:${"a".repeat(64)}`)).toEqual([]);
    const noImage = catalogItemProblems(
      file({ compose: `services:\n  app:\n    build: .\n${port}`, environment: [] }),
    );
    expect(noImage).toContainEqual({ path: "compose", message: 'service "app" must run an image' });
  });

  it("catalog rules - a referenced variable is declared or has an inline default", () => {
    const problems = catalogItemProblems(
      file({
        ...compose(
          `${port}    environment:\n      A: \${SECRET_KEY}\n      B: $OTHER\n      C: \${FINE:-x}\n      D: \${NEEDED:?set it}\n`,
        ),
        environment: [],
      }),
    );
    expect(problems).toEqual([
      {
        path: "compose",
        message: "references ${SECRET_KEY}, which is not declared in environment and has no inline default",
      },
      {
        path: "compose",
        message: "references ${OTHER}, which is not declared in environment and has no inline default",
      },
      {
        path: "compose",
        message: "references ${NEEDED}, which is not declared in environment and has no inline default",
      },
    ]);
  });

  it("catalog rules - references are looked for in every value, not in comments", () => {
    const text = `services:\n  app:\n    image: example/app:1.0\n    # \${IN_A_COMMENT}\n${port}configs:\n  c:\n    content: "\${IN_CONFIG}"\n`;
    expect(catalogItemProblems(file({ compose: text, environment: [] }))).toEqual([
      {
        path: "compose",
        message: "references ${IN_CONFIG}, which is not declared in environment and has no inline default",
      },
    ]);
  });

  it("catalog rules - malformed interpolation is refused", () => {
    const problems = catalogItemProblems(
      file({ ...compose(`${port}    command: echo \${1BAD}\n`), environment: [] }),
    );
    expect(problems).toEqual([{ path: "compose", message: 'has an invalid interpolation "${1BAD}"' }]);
  });

  it("catalog rules - a secret has no default, neither in environment nor inline in compose", () => {
    const withDefault = file({
      environment: [
        { name: "DB_PASSWORD", description: "d", secret: true, default: "changeme" },
        { name: "TZ", description: "t" },
      ],
    });
    expect(catalogItemProblems(withDefault)).toEqual([
      {
        path: "environment[0].default",
        message: "must be empty for a secret (each deployment sets its own)",
      },
    ]);
    const inline = file({
      ...compose(`${port}    environment:\n      P: \${DB_PASSWORD:-changeme}\n      T: \${TZ}\n`),
    });
    expect(catalogItemProblems(inline)).toEqual([
      {
        path: "environment[0]",
        message: "is a secret but the compose file gives ${DB_PASSWORD} an inline default",
      },
    ]);
    // An empty inline default only silences compose's "not set" warning: allowed.
    const empty = file({
      ...compose(`${port}    environment:\n      P: \${DB_PASSWORD:-}\n      T: \${TZ}\n`),
    });
    expect(catalogItemProblems(empty)).toEqual([]);
  });

  it("catalog rules - declared names are unique and used", () => {
    const problems = catalogItemProblems(
      file({
        environment: [
          { name: "DB_PASSWORD", description: "d", secret: true },
          { name: "TZ", description: "t" },
          { name: "TZ", description: "again" },
          { name: "UNUSED", description: "u" },
        ],
      }),
    );
    expect(problems).toEqual([
      { path: "environment[2].name", message: "is declared twice" },
      { path: "environment[3].name", message: "is not used by the compose file" },
    ]);
    const envFile = file({
      ...compose(`${port}    env_file: .env\n`),
      environment: [{ name: "UNUSED", description: "u" }],
    });
    expect(catalogItemProblems(envFile)).toEqual([]);
  });

  it("catalog rules - a default breaks no value rule", () => {
    const problems = catalogItemProblems(
      file({
        environment: [
          { name: "DB_PASSWORD", description: "d", secret: true },
          { name: "TZ", description: "t", default: "x".repeat(5000) },
        ],
      }),
    );
    expect(problems).toEqual([{ path: "environment[1].default", message: "must be at most 4096 bytes" }]);
  });

  it("catalog rules - the web port is published on PROXIMITY_PORT", () => {
    const published = (ports: string) =>
      catalogItemProblems(file({ ...compose(`    ports:\n${ports}`), environment: [] }));
    const expected = [
      { path: "compose", message: 'must publish the web port as "${PROXIMITY_PORT:-<port>}:8080"' },
    ];
    expect(published('      - "8080:8080"\n')).toEqual(expected);
    expect(published('      - "${PROXIMITY_PORT:-8080}:80"\n')).toEqual(expected);
    expect(published('      - "${OTHER:-8080}:8080"\n')).toEqual(expected);
    expect(published('      - "${PROXIMITY_PORT:-8080}:8080/udp"\n')).toEqual(expected);
    expect(published('      - "${PROXIMITY_PORT}:8080"\n')).toEqual([]);
    expect(published('      - "0.0.0.0:${PROXIMITY_PORT:-9}:8080/tcp"\n')).toEqual([]);
    expect(published('      - target: 8080\n        published: "${PROXIMITY_PORT:-8080}"\n')).toEqual([]);
    // No web port: nothing to publish.
    expect(catalogItemProblems(file({ ...compose(""), environment: [], port: 0 }))).toEqual([]);
  });
});
