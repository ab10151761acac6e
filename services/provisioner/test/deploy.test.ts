import { streamName } from "@proximity/bus";
import { eventually } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEPLOY_CONSUMER } from "../src/service.js";
import { type Harness, HOST_ID, NODE, startHarness } from "./support/harness.js";

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

const stepsOf = (operationId: string) =>
  h.db.selectFrom("operation_steps").selectAll().where("operation_id", "=", operationId).execute();

describe("deploy", () => {
  it("deploy - creates and starts a marked container, installs Docker, starts the app and reports success", async () => {
    const request = h.deployRequest();
    const started = Date.now();
    await h.publish(request);
    const outcome = await h.outcome(request.operationId);
    const elapsedMs = Date.now() - started;
    console.info(`one deploy against the simulator (taskDurationMs 20): ${elapsedMs} ms`);

    expect(outcome.type).toBe("succeeded");
    const vmid = outcome.payload.vmid as number;
    expect(outcome.payload).toMatchObject({ appId: request.appId, hostId: HOST_ID, node: NODE });
    expect(outcome.payload.ipAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);

    const container = h.sim.containers().find((c) => c.vmid === vmid);
    expect(container).toMatchObject({ status: "running", tags: "proximity", hostname: request.appId });
    expect(container?.description).toBe(`proximity app=${request.appId} operation=${request.operationId}`);

    const commands = h.sim.commandLog(NODE).map((c) => c.command);
    expect(commands.some((c) => c.includes("command -v docker") && c.includes("get.docker.com"))).toBe(true);
    const write = commands.find(
      (c) => c.includes(`/opt/proximity/${request.appId}/docker-compose.yml`) && c.includes("cat >"),
    );
    expect(write).toContain("image: nginx:1.27");
    expect(write).toContain("GREETING='hello \\'world\\' $HOME'");
    expect(commands).toContain(
      `docker compose -f '/opt/proximity/${request.appId}/docker-compose.yml' up -d`,
    );

    const events = (await h.events()).filter((e) => e.payload.operationId === request.operationId);
    const messages = events.filter((e) => e.type === "progressed").map((e) => e.payload.message);
    expect(messages).toEqual([
      "Reserving a container ID on sim",
      `Creating container ${vmid} on ${NODE}`,
      `Starting container ${vmid}`,
      "Installing Docker",
      "Writing the app's compose file",
      "Starting app with docker compose",
      "Checking the app is running",
    ]);
    expect(events.filter((e) => e.type === "succeeded")).toHaveLength(1);

    const steps = await stepsOf(request.operationId);
    expect(steps.every((s) => s.status === "done")).toBe(true);
    expect(steps.map((s) => s.name).sort()).toEqual(
      [
        "allocate-vmid",
        "create-container",
        "install-docker",
        "start-app",
        "start-container",
        "verify-app",
        "write-app-files",
      ].sort(),
    );
    const upid = (name: string) => steps.find((s) => s.name === name)?.upid;
    expect(upid("create-container")).toMatch(new RegExp(`^UPID:${NODE}:.*:vzcreate:${vmid}:`));
    expect(upid("start-container")).toMatch(new RegExp(`^UPID:${NODE}:.*:vzstart:${vmid}:`));

    const { operation } = await h.sre.getOperation({ id: request.operationId });
    expect(operation).toMatchObject({ status: "succeeded", vmid, attempts: 1, lastError: "" });
    expect(operation?.steps).toHaveLength(7);

    // The root password went to the secrets service, never into the journal or events.
    const password = h.peers.secrets.get(`apps/${request.appId}/root-password`)?.toString();
    expect(password?.length).toBeGreaterThanOrEqual(24);
    expect(JSON.stringify(events)).not.toContain(password);
  });

  it("deploy - the same event delivered twice has one effect: one container, one success", async () => {
    const request = h.deployRequest();
    const eventId = await h.publish(request);
    await h.publish(request, eventId);
    const outcome = await h.outcome(request.operationId);
    expect(outcome.type).toBe("succeeded");
    // Both deliveries handled: the second was acknowledged as a duplicate (perhaps after a retry).
    await eventually(
      async () => {
        const info = await h.bus.jsm.consumers.info(streamName(h.bus.ns, "APPLICATIONS"), DEPLOY_CONSUMER);
        return info.num_pending === 0 && info.num_ack_pending === 0;
      },
      { what: "both deliveries acknowledged" },
    );
    const ours = h.sim.containers().filter((c) => c.description.includes(request.operationId));
    expect(ours).toHaveLength(1);
    const finals = (await h.events()).filter(
      (e) => e.payload.operationId === request.operationId && e.type !== "progressed",
    );
    expect(finals).toHaveLength(1);
    const rows = await h.db
      .selectFrom("containers")
      .selectAll()
      .where("operation_id", "=", request.operationId)
      .execute();
    expect(rows).toHaveLength(1);
  });

  it("deploy - two deploys at once on one host get different VMIDs and both succeed", async () => {
    const [a, b] = [h.deployRequest(), h.deployRequest()];
    await Promise.all([h.publish(a), h.publish(b)]);
    const [oa, ob] = await Promise.all([h.outcome(a.operationId), h.outcome(b.operationId)]);
    expect([oa.type, ob.type]).toEqual(["succeeded", "succeeded"]);
    expect(oa.payload.vmid).not.toBe(ob.payload.vmid);
    const vmids = h.sim.containers().map((c) => c.vmid);
    expect(new Set(vmids).size).toBe(vmids.length);
  });

  it("deploy - a VMID used by a foreign container is skipped and the foreign container left alone", async () => {
    const suggested = (await h.pve.nextId())!;
    await h.pve.waitForTask(
      await h.pve.createContainer(NODE, {
        vmid: suggested,
        ostemplate: "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst",
        hostname: "not-proximity",
        description: "created by hand",
      }),
    );
    // A journal row for the next id (another Proximity app) must be skipped as well.
    await h.db
      .insertInto("containers")
      .values({
        host_id: HOST_ID,
        vmid: suggested + 1,
        node: NODE,
        app_id: "other",
        operation_id: "other-op",
      })
      .execute();
    const request = h.deployRequest();
    await h.publish(request);
    const outcome = await h.outcome(request.operationId);
    expect(outcome.type).toBe("succeeded");
    expect(outcome.payload.vmid).toBe(suggested + 2);
    expect(h.sim.containers().find((c) => c.vmid === suggested)).toMatchObject({
      hostname: "not-proximity",
      description: "created by hand",
    });
  });

  it("deploy - the VMID lease is released once the container exists", async () => {
    const request = h.deployRequest();
    await h.publish(request);
    const outcome = await h.outcome(request.operationId);
    const kv = await h.bus.js.views.kv(`${h.bus.ns}_vmid_leases`, { bindOnly: true });
    const entry = await kv.get(`${HOST_ID}.${outcome.payload.vmid}`);
    expect(entry === null || entry.operation !== "PUT").toBe(true);
  });
});
