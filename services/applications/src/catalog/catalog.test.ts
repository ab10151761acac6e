import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { loadCatalog } from "./catalog.js";
import { CatalogLoadError, loadCatalogDir } from "./catalog-loader.js";

const shippedDir = fileURLToPath(new URL("../../catalog", import.meta.url));

const validItem = `
id: demo
name: Demo
description: A demo app
category: Web
version: "1"
port: 80
cores: 1
memory_mb: 128
disk_gb: 1
compose: |
  services:
    web:
      image: nginx:alpine
`;

describe("catalog", () => {
  const dirs: string[] = [];
  const tempDir = async (files: Record<string, string>) => {
    const dir = await mkdtemp(join(tmpdir(), "catalog-"));
    dirs.push(dir);
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
    return dir;
  };
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });

  it("catalog - the shipped entries are valid, with distinct ids and real compose files", async () => {
    const items = await loadCatalogDir(shippedDir);
    expect(items.length).toBeGreaterThanOrEqual(4);
    expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
    for (const item of items) expect(item.compose).toContain("image:");
  });

  it("catalog - searches name and description case-insensitively and filters by category", async () => {
    const catalog = await loadCatalog(shippedDir);
    expect(catalog.list({ search: "GIT" }).map((i) => i.id)).toEqual(["gitea"]);
    expect(catalog.list({ search: "monitoring" }).map((i) => i.id)).toEqual(["uptime-kuma"]);
    const devTools = catalog.list({ category: "developer tools" });
    expect(devTools.length).toBeGreaterThan(1);
    expect(devTools.every((i) => i.category === "Developer Tools")).toBe(true);
    expect(catalog.categories()).toEqual([...new Set(catalog.list().map((i) => i.category))].sort());
    expect(catalog.get("whoami")?.memoryMb).toBe(128);
    expect(catalog.get("nope")).toBeUndefined();
  });

  it("catalog - a bad file fails the load with an error naming the file and the field", async () => {
    const dir = await tempDir({
      "good.yaml": validItem,
      "broken.yaml": validItem.replace("memory_mb: 128", "memory_mb: 1"),
    });
    const err = await loadCatalogDir(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CatalogLoadError);
    expect((err as Error).message).toMatch(/broken\.yaml: memory_mb/);
  });

  it("catalog - unparsable YAML, a compose without services and duplicate ids are refused", async () => {
    const unparsable = await tempDir({ "x.yaml": "id: [unclosed" });
    await expect(loadCatalogDir(unparsable)).rejects.toThrow(/x\.yaml: cannot be parsed/);
    const noServices = await tempDir({ "y.yaml": validItem.replace("services:", "volumes:") });
    await expect(loadCatalogDir(noServices)).rejects.toThrow(
      /y\.yaml: compose: must be a docker compose file/,
    );
    const duplicate = await tempDir({ "a.yaml": validItem, "b.yml": validItem });
    await expect(loadCatalogDir(duplicate)).rejects.toThrow(/b\.yml: id "demo" is already used by a\.yaml/);
  });

  it("catalog - a failed reload keeps the items in effect", async () => {
    const dir = await tempDir({});
    await cp(shippedDir, dir, { recursive: true });
    const catalog = await loadCatalog(dir);
    const before = catalog.list().length;
    await writeFile(join(dir, "zz-bad.json"), "{}");
    await expect(catalog.reload()).rejects.toThrow(/zz-bad\.json/);
    expect(catalog.list()).toHaveLength(before);
    await rm(join(dir, "zz-bad.json"));
    await writeFile(join(dir, "demo.yaml"), validItem);
    expect(await catalog.reload()).toBe(before + 1);
    expect(catalog.get("demo")?.name).toBe("Demo");
  });
});
