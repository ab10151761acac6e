// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${NAME}` here is docker compose syntax, not a forgotten template.
import { ValidationError } from "@proximity/errors";
import type { applicationsV1 } from "@proximity/proto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ADMIN_PASSWORD, type Harness, startHarness } from "./support/gateway-harness.js";
import { createUserAndLogin, login, request, type Session } from "./support/http-client.js";
import { sampleCatalogItem } from "./support/samples.js";

let h: Harness;
let admin: Session;
let user: Session;

/** An item as the applications service sends it, with variables of every kind. */
function wordpress(): applicationsV1.CatalogItem {
  return {
    ...sampleCatalogItem(),
    id: "wordpress",
    name: "WordPress",
    category: "Web",
    website: "https://wordpress.org",
    compose: 'services:\n  wordpress:\n    image: wordpress:6.7.1\n    ports: ["${PROXIMITY_PORT:-80}:80"]\n',
    environment: [
      {
        name: "DB_PASSWORD",
        description: "Database password",
        defaultValue: "",
        required: true,
        secret: true,
      },
      {
        name: "WORDPRESS_TABLE_PREFIX",
        description: "Table prefix",
        defaultValue: "wp_",
        required: false,
        secret: false,
      },
    ],
  };
}

const wordpressEnvironment = [
  { name: "DB_PASSWORD", description: "Database password", default: null, required: true, secret: true },
  {
    name: "WORDPRESS_TABLE_PREFIX",
    description: "Table prefix",
    default: "wp_",
    required: false,
    secret: false,
  },
];

beforeAll(async () => {
  h = await startHarness();
  admin = await login(h.url, "admin", ADMIN_PASSWORD);
  user = await createUserAndLogin(h.url, admin, "catalog-reader");
});
beforeEach(() => h.fakes.reset());
afterAll(async () => {
  await h?.stop();
});

describe("catalog routes", () => {
  it("catalog - the list shows website and environment (defaults, required, secret) but not compose", async () => {
    h.fakes.respond("listCatalog", async () => ({ items: [wordpress(), sampleCatalogItem()] }));
    const res = await request(h.url, "GET", "/api/catalog?search=press&category=Web", { auth: user });
    expect(res.status).toBe(200);
    expect(h.fakes.callsTo("listCatalog")[0]?.request).toEqual({ search: "press", category: "Web" });
    const [first, second] = res.body.items;
    expect(first).toEqual({
      id: "wordpress",
      name: "WordPress",
      description: "Web server",
      category: "Web",
      version: "1.27",
      icon: "nginx.svg",
      website: "https://wordpress.org",
      port: 80,
      cores: 1,
      memory_mb: 512,
      disk_gb: 4,
      environment: wordpressEnvironment,
    });
    // Nothing to show: null rather than empty strings.
    expect(second).toMatchObject({ id: "nginx", website: null, environment: [] });
  });

  it("catalog - the detail adds the compose file", async () => {
    h.fakes.respond("getCatalogItem", async () => ({ item: wordpress() }));
    const res = await request(h.url, "GET", "/api/catalog/wordpress", { auth: user });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: "wordpress",
      website: "https://wordpress.org",
      environment: wordpressEnvironment,
    });
    expect(res.body.compose).toContain("${PROXIMITY_PORT:-80}:80");
    expect(h.fakes.callsTo("getCatalogItem")[0]?.request).toEqual({ id: "wordpress" });
  });

  it("catalog - without query parameters the whole catalog is asked for", async () => {
    const res = await request(h.url, "GET", "/api/catalog", { auth: user });
    expect(res.status).toBe(200);
    expect(h.fakes.callsTo("listCatalog")[0]?.request).toEqual({ search: "", category: "" });
  });

  it("catalog - a refused reload answers 400 with every problem of every file", async () => {
    h.fakes.respond("reloadCatalog", async () => {
      throw new ValidationError("Catalog not reloaded (2 problems); the previous catalog stays in effect", [
        { field: "catalog/wordpress.yaml: environment[1].name", message: "is reserved" },
        { field: "catalog/n8n.yaml: compose", message: "references ${X}, which is not declared" },
      ]);
    });
    const res = await request(h.url, "POST", "/api/catalog/reload", { auth: admin });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      detail: "Catalog not reloaded (2 problems); the previous catalog stays in effect",
      errors: [
        { field: "catalog/wordpress.yaml: environment[1].name", message: "is reserved" },
        { field: "catalog/n8n.yaml: compose", message: "references ${X}, which is not declared" },
      ],
    });
  });

  it("catalog - the OpenAPI document describes the environment of catalog items", async () => {
    const res = await request(h.url, "GET", "/api/openapi.json");
    const detail =
      res.body.paths["/api/catalog/{app_id}"].get.responses["200"].content["application/json"].schema;
    expect(Object.keys(detail.properties)).toEqual(
      expect.arrayContaining(["website", "environment", "compose"]),
    );
    expect(Object.keys(detail.properties.environment.items.properties).sort()).toEqual([
      "default",
      "description",
      "name",
      "required",
      "secret",
    ]);
  });
});
