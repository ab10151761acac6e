import { randomUUID } from "node:crypto";
import { streamName } from "@proximity/bus";
import { eventually } from "@proximity/testing";
import { sql } from "kysely";
import { KvWatchInclude } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INSTALL_DOCKER_SCRIPT } from "../src/domain/deploy-scripts.js";
import { DEPLOY_CONSUMER } from "../src/service.js";
import { type Harness, HOST_ID, NODE, startHarness } from "./support/harness.js";

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

/**
 * Records every write to the VMID lease bucket from now on (puts and deletes, in order): the
 * bucket keeps only the last value per key, so its history cannot be read afterwards.
 */
async function recordLeaseWrites() {
  const kv = await h.bus.js.views.kv(`${h.bus.ns}_vmid_leases`, { bindOnly: true });
  const writes: LeaseWrite[] = [];
  const watch = await kv.watch({ key: ">", include: KvWatchInclude.UpdatesOnly });
  const done = (async () => {
    // value: the holding operation (the first word; the holding's nonce follows it).
    for await (const e of watch)
      writes.push({ key: e.key, operation: e.operation, value: e.string().split(" ")[0]! });
  })();
  return {
    waitForDelete: (key: string) =>
      eventually(async () => writes.some((w) => w.key === key && w.operation !== "PUT"), {
        timeoutMs: 10_000,
        what: `lease ${key} released`,
      }).catch(() => undefined), // the assertions below say what is missing
    stop: async () => {
      watch.stop();
      await done;
      return writes;
    },
  };
}
type LeaseWrite = { key: string; operation: string; value: string };

/** Every column of the operation's journal rows (operation + steps), as one text. */
async function journalText(operationId: string): Promise<string> {
  const op = await h.db.selectFrom("operations").selectAll().where("id", "=", operationId).execute();
  return JSON.stringify([op, await stepsOf(operationId)]);
}

const stepsOf = (operationId: string) =>
  h.db.selectFrom("operation_steps").selectAll().where("operation_id", "=", operationId).execute();

describe("deploy", () => {
  it("deploy - creates and starts a marked container, installs Docker, starts the app and reports success", async () => {
    const envMarker = `env-value-${randomUUID()}`;
    const request = h.deployRequest({ environment: { GREETING: "hello 'world' $HOME", API_KEY: envMarker } });
    const calls = (route: string) => h.sim.counts().api[route] ?? 0;
    const STATE = "GET /nodes/{node}/lxc/{vmid}/status/current";
    const START = "POST /nodes/{node}/lxc/{vmid}/status/start";
    const [statesBefore, startsBefore] = [calls(STATE), calls(START)];
    await h.publish(request);
    const outcome = await h.outcome(request.operationId);

    expect(outcome.type).toBe("succeeded");
    // The container this attempt just created is started without its state read first.
    expect(calls(STATE) - statesBefore).toBe(0);
    expect(calls(START) - startsBefore).toBe(1);
    const vmid = outcome.payload.vmid as number;
    expect(outcome.payload).toMatchObject({ appId: request.appId, hostId: HOST_ID, node: NODE });
    expect(outcome.payload.ipAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);

    const container = h.sim.containers().find((c) => c.vmid === vmid);
    expect(container).toMatchObject({ status: "running", tags: "proximity", hostname: request.appId });
    expect(container?.description).toBe(`proximity app=${request.appId} operation=${request.operationId}`);

    const commands = h.sim.commandLog(NODE).map((c) => c.command);
    // Docker from the distribution's packages (the simulator's apt), never a piped install script.
    expect(commands).toContain(INSTALL_DOCKER_SCRIPT);
    expect(commands.some((c) => c.includes("get.docker.com"))).toBe(false);
    // The compose file and the .env were written inside the container, the .env owner-only, with
    // their content on stdin: no command line (what the node's process list shows) holds a value.
    const compose = h.sim.guestFile(vmid, `/opt/proximity/${request.appId}/docker-compose.yml`);
    expect(compose?.content).toContain("image: nginx:1.27");
    const envFile = h.sim.guestFile(vmid, `/opt/proximity/${request.appId}/.env`);
    // (Quoting style is the env-file renderer's business; here: each value on its own line.)
    expect(envFile?.content).toMatch(/^GREETING=\S*hello\W+world\W+\$HOME\S*$/m);
    expect(envFile?.content).toMatch(new RegExp(`^API_KEY=\\S*${envMarker}\\S*$`, "m"));
    expect(envFile?.mode).toBe(0o600);
    const lines = h.sim.commandLog(NODE).map((c) => c.line);
    expect(lines.some((l) => l.includes(`/opt/proximity/${request.appId}/.env`))).toBe(true);
    for (const line of lines) {
      expect(line).not.toContain(envMarker);
      expect(line).not.toContain("hello 'world'");
    }
    expect(commands).toContain(
      `docker compose -f '/opt/proximity/${request.appId}/docker-compose.yml' up -d`,
    );

    const events = (await h.events()).filter((e) => e.payload.operationId === request.operationId);
    const messages = (await h.progressLines(request.operationId)).map((line) => line.message);
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
    expect(steps.find((s) => s.name === "allocate-vmid")?.detail).toBe(String(vmid));
    // The last step's done was written by the result's own transaction (one now() for both).
    const finished = await h.db
      .selectFrom("operations")
      .select("updated_at")
      .where("id", "=", request.operationId)
      .executeTakeFirstOrThrow();
    expect(steps.find((s) => s.name === "verify-app")?.updated_at.getTime()).toBe(
      finished.updated_at.getTime(),
    );
    const upid = (name: string) => steps.find((s) => s.name === name)?.upid;
    expect(upid("create-container")).toMatch(new RegExp(`^UPID:${NODE}:.*:vzcreate:${vmid}:`));
    expect(upid("start-container")).toMatch(new RegExp(`^UPID:${NODE}:.*:vzstart:${vmid}:`));

    const { operation } = await h.sre.getOperation({ id: request.operationId });
    expect(operation).toMatchObject({ status: "succeeded", vmid, attempts: 1, lastError: "" });
    // Listed in the order they ran.
    expect(operation?.steps.map((s) => s.name)).toEqual([
      "allocate-vmid",
      "create-container",
      "start-container",
      "install-docker",
      "write-app-files",
      "start-app",
      "verify-app",
    ]);

    // The root password went to the secrets service, never into the journal or events.
    const password = h.peers.secrets.get(`apps/${request.appId}/root-password`)?.toString();
    expect(password?.length).toBeGreaterThanOrEqual(24);
    expect(JSON.stringify(events)).not.toContain(password);
    // Neither are the environment values (journal: the operation row and its steps, every column).
    const journal = await journalText(request.operationId);
    expect(journal).toContain(request.operationId); // the dump does hold this operation's rows
    for (const leak of [password!, envMarker, "hello 'world'"]) {
      expect(journal).not.toContain(leak);
      expect(JSON.stringify(events)).not.toContain(leak);
    }
  });

  it("deploy - environment values printed by a failing command never reach the journal or the events", async () => {
    const envMarker = `env-value-${randomUUID()}`;
    const fault = h.sim.addFault({
      match: { sshCommand: "docker compose .* up -d" },
      effect: { kind: "ssh-failure", code: 1, stderr: `invalid value for API_KEY: ${envMarker}` },
    });
    try {
      const request = h.deployRequest({ environment: { API_KEY: envMarker } });
      await h.publish(request);
      const outcome = await h.outcome(request.operationId, 45_000);
      expect(outcome.type).toBe("failed");
      // The output was quoted, masked.
      expect(String(outcome.payload.reason)).toContain("invalid value for API_KEY: ***");
      const journal = await journalText(request.operationId);
      expect(journal).toContain("invalid value for API_KEY: ***");
      expect(journal).not.toContain(envMarker);
      const events = (await h.events()).filter((e) => e.payload.operationId === request.operationId);
      expect(JSON.stringify(events)).not.toContain(envMarker);
    } finally {
      h.sim.removeFault(fault);
    }
  });

  it("deploy - a first attempt journals allocate-vmid done only, no running before its work; the create step's running before its work", async () => {
    // Every status written to the journal, in order (the table keeps only the last per step).
    await sql`create table step_history (n bigserial, operation_id text, name text, status text)`.execute(
      h.db,
    );
    await sql`create function record_step() returns trigger language plpgsql as $$
      begin insert into step_history (operation_id, name, status) values (new.operation_id, new.name, new.status);
      return new; end $$`.execute(h.db);
    await sql`create trigger record_step after insert or update on operation_steps
      for each row execute function record_step()`.execute(h.db);
    try {
      const request = h.deployRequest();
      await h.publish(request);
      expect((await h.outcome(request.operationId)).type).toBe("succeeded");
      const { rows } = await sql<{ name: string; status: string }>`
        select name, status from step_history where operation_id = ${request.operationId} order by n`.execute(
        h.db,
      );
      const statuses = (name: string) => rows.filter((r) => r.name === name).map((r) => r.status);
      expect(statuses("allocate-vmid")).toEqual(["done"]);
      expect(statuses("create-container")[0]).toBe("running"); // then its UPID, then done
      expect(statuses("create-container").at(-1)).toBe("done");
      // The choice was journaled done by the statement that began the create step.
      const firstCreate = rows.findIndex((r) => r.name === "create-container");
      expect(rows.findIndex((r) => r.name === "allocate-vmid")).toBeLessThan(firstCreate);
    } finally {
      await sql`drop trigger record_step on operation_steps`.execute(h.db);
      await sql`drop function record_step(); drop table step_history`.execute(h.db);
    }
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

  it("deploy - two deploys at once on one host get different VMIDs, each under its own lease", async () => {
    const leases = await recordLeaseWrites();
    const [a, b] = [h.deployRequest(), h.deployRequest()];
    await Promise.all([h.publish(a), h.publish(b)]);
    const [oa, ob] = await Promise.all([h.outcome(a.operationId), h.outcome(b.operationId)]);
    expect([oa.type, ob.type]).toEqual(["succeeded", "succeeded"]);
    expect(oa.payload.vmid).not.toBe(ob.payload.vmid);
    const vmids = h.sim.containers().map((c) => c.vmid);
    expect(new Set(vmids).size).toBe(vmids.length);
    // Each VMID was chosen under a lease of its operation (taken, then released), and no lease key
    // was ever written by both operations.
    await leases.waitForDelete(`${HOST_ID}.${oa.payload.vmid}`);
    await leases.waitForDelete(`${HOST_ID}.${ob.payload.vmid}`);
    const writes = await leases.stop();
    for (const [op, outcome] of [
      [a.operationId, oa],
      [b.operationId, ob],
    ] as const) {
      const key = `${HOST_ID}.${outcome.payload.vmid}`;
      expect(writes.filter((w) => w.key === key)[0]).toEqual({ key, operation: "PUT", value: op });
    }
    const writers = new Map<string, Set<string>>();
    for (const w of writes.filter((w) => w.operation === "PUT"))
      writers.set(w.key, (writers.get(w.key) ?? new Set()).add(w.value));
    expect([...writers.values()].every((ops) => ops.size === 1)).toBe(true);
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

  it("deploy - the VMID lease is taken for the chosen VMID and released once the container exists", async () => {
    const leases = await recordLeaseWrites();
    const request = h.deployRequest();
    await h.publish(request);
    const outcome = await h.outcome(request.operationId);
    expect(outcome.type).toBe("succeeded");
    const key = `${HOST_ID}.${outcome.payload.vmid}`;
    await leases.waitForDelete(key);
    const writes = (await leases.stop()).filter((w) => w.key === key);
    // Taken by this operation (renewals may follow), then deleted, and nothing after that.
    expect(writes[0]).toEqual({ key, operation: "PUT", value: request.operationId });
    expect(writes.filter((w) => w.operation === "PUT").every((w) => w.value === request.operationId)).toBe(
      true,
    );
    expect(writes.at(-1)?.operation).toBe("DEL");
    expect(writes.filter((w) => w.operation !== "PUT")).toHaveLength(1);
    const kv = await h.bus.js.views.kv(`${h.bus.ns}_vmid_leases`, { bindOnly: true });
    expect((await kv.get(key))?.operation).not.toBe("PUT");
  });
});
