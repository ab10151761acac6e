import { NotFoundError, PermissionDeniedError, UnauthenticatedError } from "@proximity/errors";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { as, type Harness, newUser, startHarness } from "./support/harness.js";

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
      expect.arrayContaining(["hello-nginx", "whoami", "uptime-kuma", "adminer", "gitea", "code-server"]),
    );
    const kuma = all.items.find((i) => i.id === "uptime-kuma");
    expect(kuma).toMatchObject({ port: 3001, cores: 1, memoryMb: 512, diskGb: 4, category: "Monitoring" });
    expect(kuma?.compose).toContain("louislam/uptime-kuma");

    const search = await t.gateway.listCatalog({ search: "database", category: "" });
    expect(search.items.map((i) => i.id)).toEqual(["adminer"]);
    const devTools = await t.gateway.listCatalog({ search: "", category: "Developer Tools" });
    expect(devTools.items.map((i) => i.id).sort()).toEqual(["code-server", "gitea", "whoami"]);
  });

  it("ListCategories - distinct, sorted", async () => {
    const { categories } = await t.gateway.listCategories({});
    expect(categories).toEqual(["Databases", "Developer Tools", "Monitoring", "Web"]);
  });

  it("GetCatalogItem - returns the item or NotFound", async () => {
    expect((await t.gateway.getCatalogItem({ id: "gitea" })).item?.name).toBe("Gitea");
    await expect(t.gateway.getCatalogItem({ id: "nope" })).rejects.toBeInstanceOf(NotFoundError);
  });

  it("ReloadCatalog - administrators only", async () => {
    expect((await t.gateway.reloadCatalog({}, as(newUser(true)))).count).toBe(6);
    await expect(t.gateway.reloadCatalog({}, as(newUser()))).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(t.gateway.reloadCatalog({})).rejects.toBeInstanceOf(UnauthenticatedError);
  });
});
