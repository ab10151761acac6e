import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { repositoryRoot } from "../src/compose.js";

/**
 * The production build (`pnpm build`, deploy/Dockerfile): every service compiles with tsc to its
 * dist/, with the workspace packages it depends on (project references), and each of those
 * packages resolves to its dist/ under the `compiled` condition and to its sources otherwise.
 */
interface PackageJson {
  name: string;
  dependencies?: Record<string, string>;
  exports?: Record<string, string | Record<string, string>>;
}

const read = <T>(path: string): T => JSON.parse(readFileSync(join(repositoryRoot, path), "utf8")) as T;
const dirs = (parent: string) =>
  readdirSync(join(repositoryRoot, parent), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(repositoryRoot, parent, d.name, "package.json")))
    .map((d) => `${parent}/${d.name}`);
const byName = new Map(
  [...dirs("packages"), ...dirs("services")].map((dir) => [
    read<PackageJson>(`${dir}/package.json`).name,
    dir,
  ]),
);

/** The workspace packages `dir` needs at run time, and everything they need in turn. */
function runtimeClosure(dir: string, seen = new Set<string>()): Set<string> {
  for (const name of Object.keys(read<PackageJson>(`${dir}/package.json`).dependencies ?? {})) {
    const dep = byName.get(name);
    if (dep && !seen.has(dep)) {
      seen.add(dep);
      runtimeClosure(dep, seen);
    }
  }
  return seen;
}

/** The web console is a browser app built by Vite (served by the gateway), not a Node service. */
const WEB_CONSOLE = "services/web-console";

describe("production build", () => {
  const services = dirs("services").filter((dir) => dir !== WEB_CONSOLE);
  // What runs compiled in production: the services, and proximityctl on operators' machines.
  const built = new Set([...services, "packages/proximityctl"].flatMap((s) => [s, ...runtimeClosure(s)]));

  it("build - every service and the packages it runs on have a tsconfig.build.json referencing their workspace dependencies", () => {
    for (const dir of built) {
      const config = read<{ references?: { path: string }[]; compilerOptions: Record<string, unknown> }>(
        `${dir}/tsconfig.build.json`,
      );
      const references = (config.references ?? []).map((r) =>
        join(dir, r.path).replace(/\/tsconfig\.build\.json$/, ""),
      );
      const dependencies = Object.keys(read<PackageJson>(`${dir}/package.json`).dependencies ?? {})
        .map((name) => byName.get(name))
        .filter((d): d is string => d !== undefined);
      expect({ dir, references: references.sort() }).toEqual({ dir, references: dependencies.sort() });
      expect(config.compilerOptions).toMatchObject({ rootDir: "src", outDir: "dist", sourceMap: true });
      // Referenced projects must be composite (declarations); services and the command line are
      // referenced by none.
      if (dir.startsWith("packages/") && dir !== "packages/proximityctl")
        expect(config.compilerOptions.composite).toBe(true);
    }
  });

  it("build - each built package exports its dist/ under the `compiled` condition and its sources by default", () => {
    for (const dir of built) {
      const exports = read<PackageJson>(`${dir}/package.json`).exports ?? {};
      for (const [subpath, target] of Object.entries(exports)) {
        const where = `${relative(repositoryRoot, join(repositoryRoot, dir))} ${subpath}`;
        expect(typeof target === "object" ? Object.keys(target) : target, where).toEqual([
          "compiled",
          "default",
        ]);
        const { compiled, default: source } = target as Record<string, string>;
        expect(source, where).toMatch(/^\.\/src\/.+\.ts$/);
        expect(compiled, where).toBe(source!.replace(/^\.\/src\//, "./dist/").replace(/\.ts$/, ".js"));
      }
    }
  });

  it("build - `pnpm build` builds every service and the operators' command line, then the web console", () => {
    const scripts = read<{ scripts: Record<string, string> }>("package.json").scripts;
    expect(scripts.build).toBe(
      "tsc -b services/*/tsconfig.build.json packages/proximityctl/tsconfig.build.json && pnpm --filter @proximity/web-console build",
    );
    expect(existsSync(join(repositoryRoot, "packages/proximityctl/tsconfig.build.json"))).toBe(true);
    for (const service of services)
      expect(existsSync(join(repositoryRoot, service, "tsconfig.build.json"))).toBe(true);
    expect(read<{ scripts: Record<string, string> }>(`${WEB_CONSOLE}/package.json`).scripts.build).toBe(
      "vite build",
    );
  });
});
