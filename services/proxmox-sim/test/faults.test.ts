import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createCt, DEBIAN, type SimHarness, SSH, startSim } from "./support/sim-fixture.js";
import { connect, run } from "./support/ssh-client.js";

describe("faults", () => {
  let h: SimHarness;
  beforeAll(async () => {
    h = await startSim();
  });
  afterEach(() => {
    h.sim.clearFaults();
    h.sim.setHostDown(false);
    h.sim.setWrongHostKey(false);
  });
  afterAll(() => h.sim.stop());

  it("http-error - matching calls get the injected status, `times` limits it", async () => {
    h.sim.addFault({
      match: { method: "GET", path: "^/cluster/nextid$" },
      effect: { kind: "http-error", status: 503, message: "service busy" },
      times: 1,
    });
    const hit = await h.call("GET", "/cluster/nextid");
    expect(hit.status).toBe(503);
    expect(hit.body).toEqual({ data: null, message: "service busy\n" });
    expect((await h.call("GET", "/cluster/nextid")).status).toBe(200);
    expect((await h.call("GET", "/version")).status).toBe(200);
  });

  it("latency - delays only matching calls; removeFault ends it", async () => {
    const id = h.sim.addFault({ match: { path: "^/version$" }, effect: { kind: "latency", delayMs: 1_500 } });
    const elapsed = async (path: string) => {
      const t0 = performance.now();
      expect((await h.call("GET", path)).status).toBe(200);
      return performance.now() - t0;
    };
    const delayed = await elapsed("/version");
    expect(delayed).toBeGreaterThanOrEqual(1_450);
    // Relative checks with a margin a busy machine cannot eat (no absolute upper bound): another
    // path is not delayed, and neither is /version once the fault is removed.
    expect(await elapsed("/nodes")).toBeLessThan(delayed - 750);
    h.sim.removeFault(id);
    expect(await elapsed("/version")).toBeLessThan(delayed - 750);
  });

  it("reset - the connection is destroyed without an answer", async () => {
    h.sim.addFault({ match: { path: "^/nodes$" }, effect: { kind: "reset" } });
    await expect(h.call("GET", "/nodes")).rejects.toThrow();
  });

  it("hang - no answer until the client gives up", async () => {
    h.sim.addFault({ match: { path: "^/version$" }, effect: { kind: "hang" } });
    const res = fetch(`${h.running.baseUrl}/api2/json/version`, { signal: AbortSignal.timeout(150) });
    await expect(res).rejects.toThrow();
  });

  it("task-failure - create task ends in TASK ERROR and the config is removed", async () => {
    h.sim.addFault({
      match: { taskType: "vzcreate" },
      effect: { kind: "task-failure", message: "unable to create CT 400 - disk full" },
    });
    const r = await h.call("POST", "/nodes/pve1/lxc", { vmid: 400, ostemplate: DEBIAN });
    expect(r.status).toBe(200);
    const status = await h.waitTask("pve1", r.body.data as string);
    expect(status.exitstatus).toBe("unable to create CT 400 - disk full");
    const log = (await h.call("GET", `/nodes/pve1/tasks/${encodeURIComponent(r.body.data as string)}/log`))
      .body.data as { t: string }[];
    expect(log.at(-1)?.t).toBe("TASK ERROR: unable to create CT 400 - disk full");
    expect(h.sim.containers().some((c) => c.vmid === 400)).toBe(false);
    expect((await h.call("GET", "/cluster/nextid", { vmid: 400 })).body.data).toBe(400);
  });

  it("host down - API connections reset and SSH refused until back up", async () => {
    const node = h.running.nodes[0]!;
    h.sim.setHostDown(true);
    await expect(h.call("GET", "/version")).rejects.toThrow();
    await expect(connect({ host: node.sshHost, port: node.sshPort, ...SSH })).rejects.toThrow();
    h.sim.setHostDown(false);
    expect((await h.call("GET", "/version")).status).toBe(200);
    const client = await connect({ host: node.sshHost, port: node.sshPort, ...SSH });
    expect((await run(client, "true")).code).toBe(0);
    client.end();
  });

  it("wrong host key - a client pinning the fingerprint refuses the node", async () => {
    const node = h.running.nodes[0]!;
    const verify = (hex: string) =>
      `SHA256:${Buffer.from(hex, "hex").toString("base64").replace(/=+$/, "")}` === node.hostKeyFingerprint;
    const pinned = {
      host: node.sshHost,
      port: node.sshPort,
      ...SSH,
      hostHash: "sha256" as const,
      hostVerifier: verify,
    };
    const ok = await connect(pinned);
    ok.end();
    h.sim.setWrongHostKey(true);
    await expect(connect(pinned)).rejects.toThrow(/verification failed/);
  });

  it("ssh-failure - a matching command exits with the injected code and stderr", async () => {
    await createCt(h, "pve1", 410, { start: 1 });
    h.sim.addFault({
      match: { sshCommand: "docker compose" },
      effect: { kind: "ssh-failure", code: 1, stderr: "network unreachable" },
    });
    const node = h.running.nodes[0]!;
    const client = await connect({ host: node.sshHost, port: node.sshPort, ...SSH });
    const failed = await run(client, "pct exec 410 -- sh -c 'docker compose up -d'");
    expect(failed).toEqual({ code: 1, stdout: "", stderr: "network unreachable\n" });
    expect((await run(client, "pct exec 410 -- sh -c 'echo fine'")).stdout).toBe("fine\n");
    client.end();
    expect(h.sim.commandLog("pve1").at(-2)).toMatchObject({ command: "docker compose up -d", exitCode: 1 });
  });

  it("admin endpoints - faults, host-down and inspection over HTTP", async () => {
    const admin = (path: string, init?: RequestInit) =>
      fetch(`${h.running.adminUrl}/_sim${path}`, init).then((r) => r.json() as Promise<{ data: unknown }>);
    const spec = {
      match: { path: "^/nodes$" },
      effect: { kind: "http-error", status: 500, message: "boom" },
    };
    const { data } = (await admin("/faults", { method: "POST", body: JSON.stringify(spec) })) as {
      data: { id: string };
    };
    expect((await admin("/faults")).data).toEqual([{ ...spec, id: data.id, hits: 0 }]);
    expect((await h.call("GET", "/nodes")).status).toBe(500);
    await admin(`/faults/${data.id}`, { method: "DELETE" });
    expect((await h.call("GET", "/nodes")).status).toBe(200);
    await admin("/host-down", { method: "PUT", body: JSON.stringify({ down: true }) });
    await expect(h.call("GET", "/nodes")).rejects.toThrow();
    expect(Array.isArray((await admin("/containers")).data)).toBe(true);
    await admin("/host-down", { method: "PUT", body: JSON.stringify({ down: false }) });
    expect((await h.call("GET", "/nodes")).status).toBe(200);
  });
});
