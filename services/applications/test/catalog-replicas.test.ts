import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Events, streamName } from "@proximity/bus";
import { createDatabase } from "@proximity/db";
import { ValidationError } from "@proximity/errors";
import { createServiceClient, generateServiceKeys } from "@proximity/grpc";
import { createLogger } from "@proximity/logger";
import { applicationsV1 } from "@proximity/proto";
import type { ServiceHandle } from "@proximity/service-kit";
import { createTestDatabase, eventually, testLogger, testServers, uniqueNamespace } from "@proximity/testing";
import type { Kysely } from "kysely";
import { connect } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CatalogLoadError } from "../src/catalog/catalog-loader.js";
import { loadApplicationsConfig } from "../src/config.js";
import type { ApplicationsDatabase } from "../src/db/database.js";
import { createApplicationsService } from "../src/service.js";
import { type FakeHosts, startFakeHosts } from "./support/fake-hosts.js";
import { type ApplicationsClient, as, newUser } from "./support/harness.js";

const shippedDir = fileURLToPath(new URL("../catalog", import.meta.url));
const admin = newUser(true);

const item = (id: string) => `
id: ${id}
name: ${id}
description: Added while running
category: Web
version: "1"
website: https://example.org
port: 80
cores: 1
memory_mb: 128
disk_gb: 1
compose: |
  services:
    web:
      image: nginx:1.27-alpine
      ports:
        - "\${PROXIMITY_PORT:-80}:80"
`;

/** Two replicas of the applications service on one database and one bus namespace, each with its own catalog directory. */
const keys = await generateServiceKeys(["applications", "api-gateway", "hosts"]);

describe("catalog reload across replicas", () => {
  const logger = testLogger("applications");
  const ns = uniqueNamespace();
  const dirs: string[] = [];
  const services: ServiceHandle[] = [];
  const clients: ApplicationsClient[] = [];
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let hosts: FakeHosts;
  let db: Kysely<ApplicationsDatabase>;
  let a: ApplicationsClient;
  let b: ApplicationsClient;
  let dirA: string;
  let dirB: string;
  /** What replica B logged (warnings and up), to see it refuse a reload. */
  const logOfB: string[] = [];

  async function replica(catalogDir: string, log = logger): Promise<ApplicationsClient> {
    const config = loadApplicationsConfig({
      DATABASE_URL: database.url,
      NATS_URL: testServers().natsUrl,
      GRPC_PORT: "0",
      HOSTS_GRPC_ADDR: hosts.address,
      BUS_NAMESPACE: ns,
      // Small streams: the shared test server reserves what each stream may hold.
      BUS_STREAM_MAX_BYTES: String(8 * 1024 * 1024),
      // A server without authentication and no setup step: the service declares its streams.
      BUS_DECLARE_STREAMS: "true",
      CATALOG_DIR: catalogDir,
      SERVICE_KEYS_DIR: "/unused",
    });
    const service = createApplicationsService(config, { logger: log, keys: keys.get("applications")! });
    const { grpcPort } = await service.start();
    services.push(service);
    const client = createServiceClient<applicationsV1.ApplicationsServiceServer>(
      applicationsV1.ApplicationsServiceService,
      { address: `127.0.0.1:${grpcPort}`, audience: "applications", keys: keys.get("api-gateway")! },
    );
    clients.push(client);
    return client;
  }

  async function catalogCopy(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), "catalog-replica-"));
    dirs.push(dir);
    await cp(shippedDir, dir, { recursive: true });
    return dir;
  }

  const ids = async (client: ApplicationsClient) =>
    (await client.listCatalog({ search: "", category: "" })).items.map((i) => i.id);

  const reloadEventsInOutbox = async () =>
    (
      await db
        .selectFrom("outbox")
        .select("id")
        .where("type", "=", Events.CatalogReloadRequested.type)
        .execute()
    ).length;

  beforeAll(async () => {
    database = await createTestDatabase();
    hosts = await startFakeHosts(keys.get("hosts")!, logger);
    db = createDatabase<ApplicationsDatabase>({ url: database.url, schema: "applications" });
    dirA = await catalogCopy();
    dirB = await catalogCopy();
    // One after the other: both migrate the same schema.
    a = await replica(dirA);
    b = await replica(
      dirB,
      createLogger({ service: "applications", level: "warn" }, { write: (l) => logOfB.push(l) }),
    );
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    for (const service of services.reverse()) await service.stop();
    await hosts?.stop();
    const nc = await connect({ servers: testServers().natsUrl });
    const jsm = await nc.jetstreamManager();
    for (const stream of ["APPLICATIONS", "PROVISIONER", "HOSTS", "DEAD_LETTERS"] as const)
      await jsm.streams.delete(streamName(ns, stream)).catch(() => undefined);
    await nc.drain();
    await db?.destroy();
    await database?.drop();
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it("catalog reload - a reload on one replica makes the other serve its changed catalog", async () => {
    await writeFile(join(dirA, "added.yaml"), item("added"));
    await writeFile(join(dirB, "added.yaml"), item("added"));
    expect(await ids(b)).not.toContain("added");

    const before = (await ids(a)).length;
    expect((await a.reloadCatalog({}, as(admin))).count).toBe(before + 1);
    expect(await ids(a)).toContain("added");
    // B was not called: only the event brings the change there.
    await eventually(async () => (await ids(b)).includes("added"), {
      what: "replica B serving the new item",
    });
    expect((await b.getCatalogItem({ id: "added" })).item?.website).toBe("https://example.org");
  });

  it("catalog reload - a bad file is answered with every problem, keeps the catalog and tells no replica", async () => {
    const events = await reloadEventsInOutbox();
    const served = await ids(a);
    await writeFile(
      join(dirA, "broken.yaml"),
      item("broken")
        .replace("memory_mb: 128", "memory_mb: 1")
        .replace("category: Web\n", "category: Web\nextra: 1\n"),
    );
    const err = await a.reloadCatalog({}, as(admin)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    const problems = (err as ValidationError).fieldErrors;
    expect(problems).toEqual(
      expect.arrayContaining([
        {
          field: expect.stringMatching(/^catalog-replica-\w+\/broken\.yaml: memory_mb$/),
          message: expect.any(String),
        },
        {
          field: expect.stringMatching(/^catalog-replica-\w+\/broken\.yaml: \(file\)$/),
          message: expect.stringContaining('"extra"'),
        },
      ]),
    );
    expect((err as Error).message).toMatch(
      /Catalog not reloaded \(2 problems\); the previous catalog stays in effect/,
    );
    expect(await ids(a)).toEqual(served);
    expect(await reloadEventsInOutbox()).toBe(events);
    await rm(join(dirA, "broken.yaml"));
  });

  it("catalog reload - a replica whose files are broken keeps its catalog when asked to reload", async () => {
    await writeFile(join(dirB, "zz-broken.yaml"), "id: [unclosed");
    await writeFile(join(dirA, "second.yaml"), item("second"));
    await writeFile(join(dirB, "second.yaml"), item("second"));
    const servedByB = await ids(b);
    await a.reloadCatalog({}, as(admin));
    const refusal = await eventually(
      async () => logOfB.find((line) => line.includes("requested catalog reload refused")),
      { what: "replica B refusing the reload" },
    );
    expect(refusal).toMatch(/zz-broken\.yaml: cannot be parsed/);
    expect(await ids(b)).toEqual(servedByB);
    expect(servedByB).not.toContain("second");
    // Once fixed, the next reload reaches it.
    await rm(join(dirB, "zz-broken.yaml"));
    await a.reloadCatalog({}, as(admin));
    await eventually(async () => (await ids(b)).includes("second"), { what: "replica B after the fix" });
  });

  it("catalog reload - start-up fails with every problem listed when a catalog file is invalid", async () => {
    const dir = await catalogCopy();
    await writeFile(
      join(dir, "wordpress.yaml"),
      item("wordpress").replace(
        "port: 80",
        "port: 80\nenvironment:\n  - name: DOCKER_HOST\n    description: x",
      ),
    );
    const err = await replica(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CatalogLoadError);
    expect((err as Error).message).toMatch(/^catalog not loaded, 2 problems:\n/);
    expect((err as Error).message).toMatch(
      /catalog-replica-\w+\/wordpress\.yaml: environment\[0\]\.name: is reserved/,
    );
    expect((err as Error).message).toMatch(
      /wordpress\.yaml: environment\[0\]\.name: is not used by the compose file/,
    );
  });
});
