import { NotFoundError, PermissionDeniedError, ValidationError } from "@proximity/errors";
import { applicationsV1 } from "@proximity/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { as, type Harness, newUser, startHarness } from "./support/harness.js";

const listAll: applicationsV1.ListAppsRequest = { status: "", search: "", page: 0, perPage: 0, cursor: "" };

describe("app queries", () => {
  let t: Harness;
  const alice = newUser();
  const bob = newUser();
  const admin = newUser(true);
  let aliceApps: applicationsV1.App[];
  let bobApp: applicationsV1.App;

  const deploy = async (owner: typeof alice, hostname: string, hostId = "") => {
    const { app } = await t.gateway.deployApp(
      { catalogId: "hello-nginx", hostname, hostId, node: "", environment: {}, idempotencyKey: "" },
      // Only admins choose the host: an explicit placement is made with the owner's admin hat on.
      as(hostId ? { ...owner, isAdmin: true } : owner),
    );
    return app!;
  };

  beforeAll(async () => {
    t = await startHarness();
    aliceApps = [];
    for (const hostname of ["alpha", "beta", "gamma"]) aliceApps.push(await deploy(alice, hostname));
    bobApp = await deploy(bob, "bobs-site", "host-b");
    // One of Alice's apps is running, to filter on; another is gone and must vanish everywhere.
    await t.db.updateTable("apps").set({ status: "running" }).where("id", "=", aliceApps[0]!.id).execute();
    await t.db.updateTable("apps").set({ status: "gone" }).where("id", "=", aliceApps[2]!.id).execute();
  });

  afterAll(async () => {
    await t?.close();
  });

  it("GetApp - the owner and admins see an app; another user gets NotFound", async () => {
    const id = aliceApps[1]!.id;
    expect((await t.gateway.getApp({ id }, as(alice))).app?.hostname).toBe("beta");
    expect((await t.gateway.getApp({ id }, as(admin))).app?.ownerId).toBe(alice.id);
    await expect(t.gateway.getApp({ id }, as(bob))).rejects.toBeInstanceOf(NotFoundError);
  });

  it("GetApp - unknown, malformed and gone ids are NotFound alike", async () => {
    const err = (id: string) => t.gateway.getApp({ id }, as(admin)).catch((e: unknown) => e);
    const answers = await Promise.all([
      err("00000000-0000-4000-8000-000000000000"),
      err("not-a-uuid"),
      err(aliceApps[2]!.id),
    ]);
    for (const answer of answers) {
      expect(answer).toBeInstanceOf(NotFoundError);
      expect((answer as Error).message).toBe("App not found");
    }
  });

  it("ListApps - users see their own live apps, admins everyone's", async () => {
    const mine = await t.gateway.listApps(listAll, as(alice));
    expect(mine.items.map((a) => a.hostname).sort()).toEqual(["alpha", "beta"]);
    expect(mine).toMatchObject({ total: 2, page: 1, perPage: 20 });
    const everyone = await t.gateway.listApps(listAll, as(admin));
    expect(everyone.items.map((a) => a.hostname).sort()).toEqual(["alpha", "beta", "bobs-site"]);
  });

  it("ListApps - filters by status and hostname search, and pages with a total", async () => {
    const running = await t.gateway.listApps({ ...listAll, status: "running" }, as(admin));
    expect(running.items.map((a) => [a.hostname, a.status])).toEqual([
      ["alpha", applicationsV1.AppStatus.APP_STATUS_RUNNING],
    ]);
    const search = await t.gateway.listApps({ ...listAll, search: "SITE" }, as(admin));
    expect(search.items.map((a) => a.id)).toEqual([bobApp.id]);
    // A LIKE wildcard in the search is a literal character.
    expect((await t.gateway.listApps({ ...listAll, search: "_" }, as(admin))).total).toBe(0);

    const page1 = await t.gateway.listApps({ ...listAll, page: 1, perPage: 2 }, as(admin));
    const page2 = await t.gateway.listApps({ ...listAll, page: 2, perPage: 2 }, as(admin));
    expect([page1.items.length, page2.items.length, page1.total, page2.total]).toEqual([2, 1, 3, 3]);
    // Newest first, no app on two pages.
    expect(page1.items[0]?.id).toBe(bobApp.id);
    expect(new Set([...page1.items, ...page2.items].map((a) => a.id)).size).toBe(3);
  });

  it("ListApps - refuses out-of-range paging and unknown statuses", async () => {
    const fields = async (req: applicationsV1.ListAppsRequest) => {
      const err = await t.gateway.listApps(req, as(alice)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      return (err as ValidationError).fieldErrors.map((f) => f.field);
    };
    expect(await fields({ ...listAll, perPage: 101 })).toEqual(["per_page"]);
    expect(await fields({ ...listAll, page: -1 })).toEqual(["page"]);
    expect(await fields({ ...listAll, status: "gone" })).toEqual(["status"]);
    expect(await fields({ ...listAll, status: "sleeping" })).toEqual(["status"]);
  });

  it("ListAppLogs - follows the ownership rule and honours the limit, newest last", async () => {
    const appId = aliceApps[1]!.id;
    await t.db
      .insertInto("deployment_logs")
      .values(
        ["one", "two", "three"].map((message) => ({ app_id: appId, level: "info", step: "test", message })),
      )
      .execute();
    const all = await t.gateway.listAppLogs({ appId, limit: 0, afterId: 0, beforeId: 0 }, as(alice));
    expect(all.items.map((l) => l.message)).toEqual([
      expect.stringContaining("requested"),
      "one",
      "two",
      "three",
    ]);
    const latest = await t.gateway.listAppLogs({ appId, limit: 2, afterId: 0, beforeId: 0 }, as(admin));
    expect(latest.items.map((l) => l.message)).toEqual(["two", "three"]);
    await expect(
      t.gateway.listAppLogs({ appId, limit: 0, afterId: 0, beforeId: 0 }, as(bob)),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      t.gateway.listAppLogs({ appId, limit: 1001, afterId: 0, beforeId: 0 }, as(alice)),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it("CountAppsOnHost - only the hosts service may ask; gone apps do not count", async () => {
    const hosts = t.clientAs("hosts");
    expect((await hosts.countAppsOnHost({ hostId: "host-a" })).count).toBe(2);
    expect((await hosts.countAppsOnHost({ hostId: "host-b" })).count).toBe(1);
    expect((await hosts.countAppsOnHost({ hostId: "host-z" })).count).toBe(0);
    await expect(hosts.countAppsOnHost({ hostId: "" })).rejects.toBeInstanceOf(ValidationError);
    await expect(t.gateway.countAppsOnHost({ hostId: "host-a" })).rejects.toBeInstanceOf(
      PermissionDeniedError,
    );
  });

  it("callers - services other than the gateway are refused user RPCs", async () => {
    const hosts = t.clientAs("hosts");
    await expect(hosts.getApp({ id: aliceApps[1]!.id }, as(admin))).rejects.toBeInstanceOf(
      PermissionDeniedError,
    );
    await expect(hosts.listApps(listAll, as(admin))).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(hosts.listCatalog({ search: "", category: "" })).rejects.toBeInstanceOf(
      PermissionDeniedError,
    );
  });
});
