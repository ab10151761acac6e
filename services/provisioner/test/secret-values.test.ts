/**
 * Secret environment values reach the container's .env and nowhere else: not in any command line
 * the node received, not in the journal, not in any event or dead letter, not in a log line, even
 * when a failing command prints one.
 */
import { randomUUID } from "node:crypto";
import { Events, streamName } from "@proximity/bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, HOST_ID, NODE, startHarness } from "./support/harness.js";
import { Action, act, actionRequest, deployApp } from "./support/lifecycle.js";

const SECRET = `s3cret-${randomUUID()}`;
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ PROVISIONER_MAX_DELIVER: "2" }, { captureLogs: true });
});

afterAll(async () => {
  await h?.close();
});

function withSecret() {
  const appId = `app-${randomUUID().slice(0, 8)}`;
  h.peers.secrets.set(`apps/${appId}/env/DB_PASSWORD`, Buffer.from(SECRET));
  return { appId, hostname: appId, secretEnvironment: ["DB_PASSWORD"], publicPort: 30100 };
}

async function everyStreamMessage(): Promise<string> {
  const out: string[] = [];
  for (const s of ["PROVISIONER", "DEAD_LETTERS"] as const) {
    const name = streamName(h.bus.ns, s);
    const info = await h.bus.jsm.streams.info(name).catch(() => undefined);
    if (!info) continue;
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
      const m = await h.bus.jsm.streams.getMessage(name, { seq }).catch(() => undefined);
      if (!m) continue;
      out.push(Buffer.from(m.data).toString("latin1"));
      for (const [k, v] of m.header) out.push(`${k}=${v.join(",")}`);
    }
  }
  return out.join("\n");
}

describe("secret environment values", () => {
  it("secrets - reach the .env only: never a command line, the journal, an event or a log line", {
    timeout: 120_000,
  }, async () => {
    // A deploy whose compose up prints the secret and fails for good: reason, journal, dead letter.
    const failing = h.deployRequest(withSecret());
    const fault = h.sim.addFault({
      match: { sshCommand: "up -d" },
      effect: { kind: "ssh-failure", code: 1, stderr: `error: password ${SECRET} was rejected` },
    });
    await h.publish(failing);
    const failed = await h.outcome(failing.operationId, 60_000);
    h.sim.removeFault(fault);
    expect(failed.type).toBe("failed");
    expect(failed.payload.reason).toBe(
      "Docker compose failed inside the container: error: password *** was rejected",
    );

    // A deploy, an update and a clone that succeed with the secret in their .env.
    const app = await deployApp(h, withSecret());
    const env = h.sim.guestFile(app.vmid, `/opt/proximity/${app.request.appId}/.env`);
    expect(env?.content).toContain(`DB_PASSWORD="${SECRET}"`);
    expect(env?.mode).toBe(0o600);
    const update = await act(
      h,
      actionRequest(app, Action.APP_ACTION_UPDATE, {
        compose: app.request.compose,
        environment: { GREETING: "x" },
        secretEnvironment: ["DB_PASSWORD"],
        publicPort: 30100,
      }),
    );
    expect(update.type, String(update.payload.reason)).toBe("succeeded");
    const clone = {
      operationId: randomUUID(),
      sourceAppId: app.request.appId,
      appId: `clone-${randomUUID().slice(0, 8)}`,
      ownerId: "u",
      hostId: HOST_ID,
      node: NODE,
      sourceVmid: app.vmid,
      hostname: "clone",
      publicPort: 30101,
      secretEnvironment: ["DB_PASSWORD"],
      adopted: false,
    };
    await h.publishEvent(Events.AppCloneRequested, clone);
    expect((await h.outcome(clone.operationId, 60_000)).type).toBe("succeeded");

    const commands = h.sim.commandLog();
    expect(commands.length).toBeGreaterThan(10);
    expect(commands.some((c) => c.stdinBytes > 0)).toBe(true);
    for (const c of commands) {
      expect(c.line).not.toContain(SECRET);
      expect(c.command).not.toContain(SECRET);
    }
    const operations = await h.db.selectFrom("operations").selectAll().execute();
    const steps = await h.db.selectFrom("operation_steps").selectAll().execute();
    const outbox = await h.db
      .selectFrom("outbox" as never)
      .selectAll()
      .execute();
    expect(JSON.stringify([operations, steps])).not.toContain(SECRET);
    expect(Buffer.from(JSON.stringify(outbox)).toString()).not.toContain(SECRET);
    expect(await everyStreamMessage()).not.toContain(SECRET);
    // The logs were captured, the failed attempt's masked output among them.
    expect(h.logs.join("")).toContain("password *** was rejected");
    expect(h.logs.join("")).not.toContain(SECRET);
  });
});
