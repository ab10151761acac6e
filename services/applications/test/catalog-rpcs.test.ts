// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${NAME}` here is docker compose syntax, not a forgotten template.
import { readdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { NotFoundError, PermissionDeniedError, UnauthenticatedError } from "@proximity/errors";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { as, type Harness, newUser, startHarness } from "./support/harness.js";

const shippedDir = fileURLToPath(new URL("../catalog", import.meta.url));

describe("catalog RPCs", () => {
  let t: Harness;

  beforeAll(async () => {
    t = await startHarness();
  });

  afterAll(async () => {
    await t?.close();
  });

  it("ListCatalog - lists every item, searches and filters by category", async () => {
    const all = await t.gateway.listCatalog({ search: "", category: "" });
    expect(all.items.map((i) => i.id)).toEqual(
      expect.arrayContaining([
        "hello-nginx",
        "whoami",
        "uptime-kuma",
        "adminer",
        "gitea",
        "code-server",
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
    const kuma = all.items.find((i) => i.id === "uptime-kuma");
    expect(kuma).toMatchObject({
      port: 3001,
      cores: 1,
      memoryMb: 512,
      diskGb: 4,
      category: "Monitoring",
      website: "https://uptime.kuma.pet",
      environment: [],
    });
    expect(kuma?.compose).toContain("louislam/uptime-kuma");

    const search = await t.gateway.listCatalog({ search: "single php PAGE", category: "" });
    expect(search.items.map((i) => i.id)).toEqual(["adminer"]);
    const devTools = await t.gateway.listCatalog({ search: "", category: "developer tools" });
    expect(devTools.items.map((i) => i.id).sort()).toEqual(["code-server", "gitea", "it-tools", "whoami"]);
  });

  it("ListCategories - distinct, sorted", async () => {
    const { categories } = await t.gateway.listCategories({});
    expect(categories).toEqual([...categories].sort());
    expect(new Set(categories).size).toBe(categories.length);
    expect(categories).toEqual(
      expect.arrayContaining(["Databases", "Developer Tools", "Media", "Monitoring", "Web"]),
    );
  });

  it("GetCatalogItem - returns the item with its environment and website, or NotFound", async () => {
    const { item } = await t.gateway.getCatalogItem({ id: "wordpress" });
    expect(item).toMatchObject({ name: "WordPress", website: "https://wordpress.org", port: 80 });
    expect(item?.environment).toEqual([
      {
        name: "DB_PASSWORD",
        description: expect.any(String),
        defaultValue: "",
        required: true,
        secret: true,
      },
      {
        name: "WORDPRESS_TABLE_PREFIX",
        description: expect.any(String),
        defaultValue: "wp_",
        required: false,
        secret: false,
      },
      {
        name: "WORDPRESS_DEBUG",
        description: expect.any(String),
        defaultValue: "",
        required: false,
        secret: false,
      },
    ]);
    expect(item?.compose).toContain('"${PROXIMITY_PORT:-80}:80"');
    await expect(t.gateway.getCatalogItem({ id: "nope" })).rejects.toBeInstanceOf(NotFoundError);
  });

  it("ReloadCatalog - administrators only", async () => {
    const files = (await readdir(shippedDir)).filter((f) => /\.(ya?ml|json)$/.test(f));
    expect((await t.gateway.reloadCatalog({}, as(newUser(true)))).count).toBe(files.length);
    await expect(t.gateway.reloadCatalog({}, as(newUser()))).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(t.gateway.reloadCatalog({})).rejects.toBeInstanceOf(UnauthenticatedError);
  });

  it("ReloadCatalog - operators (sre) reload without an end user; other services may not; sre reads nothing else", async () => {
    const files = (await readdir(shippedDir)).filter((f) => /\.(ya?ml|json)$/.test(f));
    const sre = t.clientAs("sre");
    expect((await sre.reloadCatalog({})).count).toBe(files.length);
    await expect(t.clientAs("hosts").reloadCatalog({})).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(sre.listCatalog({ search: "", category: "" })).rejects.toBeInstanceOf(PermissionDeniedError);
  });
});
