// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${NAME}` here is docker compose syntax, not a forgotten template.
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { resolveEnvironment } from "@proximity/app-env";
import { afterEach, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { loadCatalog } from "./catalog.js";
import { CatalogLoadError, loadCatalogDir } from "./catalog-loader.js";

const shippedDir = fileURLToPath(new URL("../../catalog", import.meta.url));

const validItem = `
id: demo
name: Demo
description: A demo app
category: Web
version: "1"
website: https://example.org
port: 80
cores: 1
memory_mb: 128
disk_gb: 1
environment:
  - name: TOKEN
    description: API token
    required: true
    secret: true
compose: |
  services:
    web:
      image: nginx:1.27-alpine
      ports:
        - "\${PROXIMITY_PORT:-80}:80"
      environment:
        TOKEN: \${TOKEN}
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

  it("catalog - the shipped entries are valid: 12+ real apps, distinct ids, pinned images", async () => {
    const items = await loadCatalogDir(shippedDir);
    expect(items.length).toBeGreaterThanOrEqual(12);
    expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
    expect(items.map((i) => i.id)).toEqual(
      expect.arrayContaining([
        "whoami",
        "hello-nginx",
        "adminer",
        "code-server",
        "gitea",
        "uptime-kuma",
        "vaultwarden",
        "grafana",
        "n8n",
        "wordpress",
        "nextcloud",
        "portainer",
        "jellyfin",
        "home-assistant",
      ]),
    );
    for (const item of items) {
      expect(item.website, item.id).toMatch(/^https:\/\//);
      expect(item.port, item.id).toBeGreaterThan(0);
      expect(item.compose, item.id).toContain(`"\${PROXIMITY_PORT:-`);
    }
  });

  it("catalog - shipped apps with a database keep its password secret and required", async () => {
    const items = await loadCatalogDir(shippedDir);
    for (const id of ["wordpress", "nextcloud", "miniflux"]) {
      const item = items.find((i) => i.id === id);
      const services = Object.keys((parseYaml(item?.compose ?? "") as { services: object }).services);
      expect(services, id).toContain("db");
      expect(
        item?.environment.find((v) => v.name === "DB_PASSWORD"),
        id,
      ).toMatchObject({
        required: true,
        secret: true,
        defaultValue: "",
      });
    }
    const wordpress = items.find((i) => i.id === "wordpress")!;
    const resolved = resolveEnvironment(wordpress.environment, {});
    expect(resolved.problems).toEqual([{ field: "environment.DB_PASSWORD", message: "is required" }]);
    expect(resolveEnvironment(wordpress.environment, { DB_PASSWORD: "pw" })).toMatchObject({
      plain: { WORDPRESS_TABLE_PREFIX: "wp_" },
      secret: { DB_PASSWORD: "pw" },
      problems: [],
    });
  });

  it("catalog - searches name and description case-insensitively and filters by category", async () => {
    const catalog = await loadCatalog(shippedDir);
    expect(catalog.list({ search: "GITEA" }).map((i) => i.id)).toEqual(["gitea"]);
    expect(catalog.list({ search: "password manager" }).map((i) => i.id)).toEqual(["vaultwarden"]);
    const monitoring = catalog.list({ category: "monitoring" });
    expect(monitoring.map((i) => i.id).sort()).toEqual(["grafana", "uptime-kuma"]);
    expect(catalog.categories()).toEqual([...new Set(catalog.list().map((i) => i.category))].sort());
    expect(catalog.get("whoami")?.memoryMb).toBe(128);
    expect(catalog.get("nope")).toBeUndefined();
  });

  it("catalog - environment and website are read into the item", async () => {
    const dir = await tempDir({ "demo.yaml": validItem });
    const [item] = await loadCatalogDir(dir);
    expect(item).toMatchObject({
      website: "https://example.org",
      environment: [
        { name: "TOKEN", description: "API token", defaultValue: "", required: true, secret: true },
      ],
    });
  });

  it("catalog - every problem of every file is listed with its file and field; nothing is dropped", async () => {
    const dir = await tempDir({
      "good.yaml": validItem.replace("id: demo", "id: good"),
      "wordpress.yaml": validItem
        .replace("id: demo", "id: wp")
        .replaceAll("TOKEN", "DOCKER_TOKEN")
        .replace("memory_mb: 128", "memory_mb: 1")
        .replace("port: 80", "port: 81"),
      "open.yaml": validItem
        .replace("id: demo", "id: open")
        .replace("TOKEN: ${TOKEN}", "TOKEN: ${TOKEN:-letmein}"),
    });
    const err = await loadCatalogDir(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CatalogLoadError);
    const shown = basename(dir);
    expect((err as CatalogLoadError).problems.map((p) => `${p.file}: ${p.path}: ${p.message}`)).toEqual([
      `${shown}/open.yaml: environment[0]: is a secret but the compose file gives \${TOKEN} an inline default`,
      `${shown}/wordpress.yaml: memory_mb: Too small: expected number to be >=64`,
      `${shown}/wordpress.yaml: environment[0].name: is reserved`,
      // Shape problems do not hide the rules between fields.
      `${shown}/wordpress.yaml: compose: must publish the web port as "\${PROXIMITY_PORT:-<port>}:81"`,
    ]);
    expect((err as Error).message).toContain(`${shown}/wordpress.yaml: environment[0].name: is reserved`);
    expect((err as Error).message).toMatch(/^catalog not loaded, 4 problems:/);
  });

  it("catalog - unknown keys, unparsable files, a compose without services and duplicate ids are refused", async () => {
    const typo = await tempDir({ "t.yaml": `${validItem}\nmemroy_mb: 3\n` });
    await expect(loadCatalogDir(typo)).rejects.toThrow(/t\.yaml: \(file\): Unrecognized key: "memroy_mb"/);
    // The UI links to it: only web URLs.
    for (const website of ["javascript:alert(1)", "ftp://example.org", "example.org"]) {
      const dir = await tempDir({ "w.yaml": validItem.replace("https://example.org", website) });
      await expect(loadCatalogDir(dir), website).rejects.toThrow(/w\.yaml: website: /);
    }
    const badIcon = await tempDir({ "i.yaml": `${validItem}icon: "javascript:alert(1)"\n` });
    await expect(loadCatalogDir(badIcon)).rejects.toThrow(/i\.yaml: icon: /);
    const unparsable = await tempDir({ "x.yaml": "id: [unclosed" });
    await expect(loadCatalogDir(unparsable)).rejects.toThrow(/x\.yaml: cannot be parsed/);
    const noServices = await tempDir({ "y.yaml": validItem.replace("services:", "volumes:") });
    await expect(loadCatalogDir(noServices)).rejects.toThrow(
      /y\.yaml: compose: must declare at least one service/,
    );
    const duplicate = await tempDir({ "a.yaml": validItem, "b.yml": validItem });
    await expect(loadCatalogDir(duplicate)).rejects.toThrow(
      /b\.yml: id: "demo" is already used by .*\/a\.yaml/,
    );
    const empty = await tempDir({ "readme.txt": "not a catalog file" });
    await expect(loadCatalogDir(empty)).rejects.toThrow(/has no \.yaml\/\.yml\/\.json files/);
    await expect(loadCatalogDir(join(empty, "missing"))).rejects.toThrow(/cannot be read as a directory/);
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
