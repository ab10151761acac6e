import { randomUUID } from "node:crypto";
import { AlreadyExistsError, UnavailableError, ValidationError } from "@proximity/errors";
import { provisionerEventsV1 } from "@proximity/proto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { as, type Harness, newUser, startHarness } from "./support/harness.js";
import { lifeCycle } from "./support/life-cycle.js";
import { outboxEvents } from "./support/outbox.js";

const { OperationKind: Kind } = provisionerEventsV1;

describe("secret environment values", () => {
  let t: Harness;
  let lc: ReturnType<typeof lifeCycle>;
  const owner = newUser();
  const admin = newUser(true);

  beforeAll(async () => {
    t = await startHarness();
    lc = lifeCycle(t);
  });

  afterAll(async () => {
    await t?.close();
  });

  /** The value in every form it could be stored or encoded in. */
  const encodings = (value: string) => {
    const bytes = Buffer.from(value, "utf8");
    return [value, bytes.toString("hex"), bytes.toString("base64"), bytes.toString("base64url")];
  };

  /** Every row of every table of the service's schema, as text (bytea shows as hex, jsonb as JSON). */
  const dumpSchema = async () => {
    const tables = await sql<{ name: string }>`
      select table_name as name from information_schema.tables where table_schema = 'applications'`.execute(
      t.db,
    );
    let dump = "";
    for (const { name } of tables.rows) {
      const rows = await sql<{
        t: string;
      }>`select t::text as t from ${sql.table(`applications.${name}`)} t`.execute(t.db);
      dump += `${rows.rows.map((r) => r.t).join("\n")}\n`;
    }
    return dump;
  };

  const expectNowhere = async (value: string, ...responses: unknown[]) => {
    const dump = await dumpSchema();
    const events = await outboxEvents(t.db);
    const decoded = JSON.stringify(events.map((e) => e.payload));
    const raw = Buffer.concat(events.map((e) => e.raw));
    const answers = JSON.stringify(responses);
    for (const form of encodings(value)) {
      expect(dump).not.toContain(form);
      expect(decoded).not.toContain(form);
      expect(answers).not.toContain(form);
    }
    expect(raw.includes(Buffer.from(value, "utf8"))).toBe(false);
  };

  it("DeployApp - secret values go to the secrets service only; the app keeps names, responses say set/unset", async () => {
    const password = `pw-${randomUUID()}`;
    const deployed = await t.gateway.deployApp(
      {
        catalogId: "code-server",
        hostname: "editor",
        hostId: "",
        node: "",
        environment: { PASSWORD: password },
        idempotencyKey: "",
      },
      as(owner),
    );
    const app = deployed.app!;
    expect(app.secrets).toEqual({ PASSWORD: true, SUDO_PASSWORD: false });
    expect(app.environment).toEqual({ TZ: "Etc/UTC" });
    expect(t.secrets.values.get(`apps/${app.id}/env/PASSWORD`)).toBe(password);
    const request = (await outboxEvents(t.db, app.id)).find((e) => e.name === "AppDeployRequested");
    expect(request?.payload.secretEnvironment).toEqual(["PASSWORD"]);
    expect(request?.payload.environment).toEqual({ TZ: "Etc/UTC" });

    // Through its life: running, updated, cloned, deleted; the value never shows up anywhere.
    await lc.succeed(app.id, { kind: Kind.OPERATION_KIND_DEPLOY, vmid: 300, ipAddress: "10.1.0.3" });
    await lc.waitFor(app.id, "running");
    await t.gateway.requestAppAction({ appId: app.id, action: "update" }, as(owner));
    const update = (await outboxEvents(t.db, app.id)).find((e) => e.name === "AppActionRequested");
    expect(update?.payload.secretEnvironment).toEqual(["PASSWORD"]);
    await lc.succeed(app.id, { kind: Kind.OPERATION_KIND_UPDATE, containerStatus: "running" });
    await lc.waitFor(app.id, "running");
    const { app: clone } = await t.gateway.cloneApp({ appId: app.id, newHostname: "editor-copy" }, as(owner));
    expect(clone?.secrets).toEqual({ PASSWORD: true, SUDO_PASSWORD: false });
    await lc.succeed(clone!.id, { kind: Kind.OPERATION_KIND_CLONE, vmid: 301 });
    await lc.waitFor(clone!.id, "running");
    const deleting = await t.gateway.deleteApp(
      { appId: app.id, destroyContainer: false, deleteBackups: false },
      as(owner),
    );
    const deleteRequest = (await outboxEvents(t.db, app.id)).find((e) => e.name === "AppDeleteRequested");
    expect(deleteRequest?.payload.secretEnvironment).toEqual(["PASSWORD"]);

    await expectNowhere(
      password,
      deployed,
      deleting,
      await t.gateway.getApp({ id: app.id }, as(owner)),
      await t.gateway.listApps({ status: "", search: "", page: 0, perPage: 0, cursor: "" }, as(admin)),
      await t.gateway.listAppLogs({ appId: app.id, limit: 0, afterId: 0, beforeId: 0 }, as(owner)),
    );
  });

  it("DeployApp - a required secret without a value is refused before anything is put", async () => {
    const calls = t.secrets.calls.length;
    const err = await t.gateway
      .deployApp(
        {
          catalogId: "code-server",
          hostname: "no-pass",
          hostId: "",
          node: "",
          environment: {},
          idempotencyKey: "",
        },
        as(owner),
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).fieldErrors.map((f) => f.field)).toContain("environment.PASSWORD");
    expect(t.secrets.calls.length).toBe(calls);
  });

  it("DeployApp - when the app cannot be recorded (hostname taken) the secrets just put are deleted", async () => {
    await lc.deploy(owner, "taken-editor");
    const password = `pw-${randomUUID()}`;
    const err = await t.gateway
      .deployApp(
        {
          catalogId: "code-server",
          hostname: "taken-editor",
          hostId: "",
          node: "",
          environment: { PASSWORD: password, SUDO_PASSWORD: "sudo-it" },
          idempotencyKey: "",
        },
        as(owner),
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AlreadyExistsError);
    const put = t.secrets.calls.filter((c) => c.startsWith("put ")).slice(-2);
    expect(put).toHaveLength(2);
    for (const call of put) expect(t.secrets.calls).toContain(call.replace("put ", "delete "));
    expect([...t.secrets.values.values()]).not.toContain(password);
    await expectNowhere(password);
  });

  it("DeployApp - the secrets service down: 503, nothing recorded, nothing left behind", async () => {
    t.secrets.failPutsContaining = "SUDO_PASSWORD";
    try {
      const err = await t.gateway
        .deployApp(
          {
            catalogId: "code-server",
            hostname: "store-down",
            hostId: "",
            node: "",
            environment: { PASSWORD: "first-one", SUDO_PASSWORD: "second-one" },
            idempotencyKey: "",
          },
          as(owner),
        )
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnavailableError);
    } finally {
      t.secrets.failPutsContaining = undefined;
    }
    expect(await t.db.selectFrom("apps").select("id").where("hostname", "=", "store-down").execute()).toEqual(
      [],
    );
    expect([...t.secrets.values.values()]).not.toContain("first-one");
  });
});
