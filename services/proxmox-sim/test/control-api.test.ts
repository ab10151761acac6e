/**
 * The control API (`/_sim/*`) is the simulator's back door: it injects faults and reads files
 * inside containers, apps' `.env` included. It is served only on a listener of its own, on the
 * loopback interface by default, never on the API port every peer can reach (review M5).
 */
import { connect as tcpConnect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProxmoxSimulator, type SimRequestCounts } from "../src/index.js";
import { createCt, type SimHarness, SSH, startSim, TOKEN } from "./support/sim-fixture.js";
import { connect, run } from "./support/ssh-client.js";

let h: SimHarness;

beforeAll(async () => {
  h = await startSim();
  await createCt(h, "pve1", 800);
});

afterAll(async () => {
  await h?.sim.stop();
});

const reachable = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = tcpConnect({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

describe("control API", () => {
  it("control api - the API port answers 404 for every /_sim path, with or without a token, and changes nothing", async () => {
    const auth = { authorization: `PVEAPIToken=${TOKEN.tokenId}=${TOKEN.secret}` };
    for (const [method, path, body] of [
      ["GET", "/_sim/containers", undefined],
      ["GET", "/_sim/containers/800/file?path=%2Fopt%2Fproximity%2Fapp%2F.env", undefined],
      ["GET", "/_sim/commands", undefined],
      ["POST", "/_sim/faults", JSON.stringify({ match: {}, effect: { kind: "reset" } })],
      ["PUT", "/_sim/host-down", JSON.stringify({ down: true })],
      ["DELETE", "/_sim/volumes?volid=local%3Abackup%2Fx", undefined],
    ] as const) {
      for (const headers of [{}, auth]) {
        const res = await fetch(`${h.running.baseUrl}${path}`, { method, headers, body });
        expect(res.status, `${method} ${path}`).toBe(404);
        expect(await res.text()).not.toContain("ct800");
      }
    }
    expect(h.sim.containers().map((c) => c.hostname)).toContain("ct800");
    expect((await h.call("GET", "/nodes")).status).toBe(200);
  });

  it("control api - served on its own listener, on the loopback only by default", async () => {
    const admin = new URL(h.running.adminUrl!);
    expect(admin.hostname).toBe("127.0.0.1");
    expect(admin.port).not.toBe(new URL(h.running.baseUrl).port);
    const res = await fetch(`${h.running.adminUrl}/_sim/containers`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: { hostname: string }[] }).data.map((c) => c.hostname)).toContain(
      "ct800",
    );
    // 127.0.0.2 is loopback too (Linux routes 127/8 to lo): a wildcard bind would answer there.
    expect(await reachable("127.0.0.2", Number(admin.port))).toBe(false);
  });

  it("control api - counts: every API request by route (unknown paths apart) and every command, since the start", async () => {
    const counts = async () =>
      ((await (await fetch(`${h.running.adminUrl}/_sim/counts`)).json()) as { data: SimRequestCounts }).data;
    const before = await counts();
    expect(before).toEqual(h.sim.counts());
    await h.call("GET", "/nodes/pve1/lxc/800/status/current");
    await h.call("GET", "/nodes/pve1/lxc/801/status/current"); // no such container: still a request
    await h.call("GET", "/nodes/pve1/no-such-thing", {}, { invalidParams: true });
    const node = h.running.nodes[0]!;
    const client = await connect({ host: node.sshHost, port: node.sshPort, ...SSH });
    try {
      await run(client, "pct list");
    } finally {
      client.end();
    }
    const after = await counts();
    const route = "GET /nodes/{node}/lxc/{vmid}/status/current";
    expect((after.api[route] ?? 0) - (before.api[route] ?? 0)).toBe(2);
    expect((after.api["GET (no route)"] ?? 0) - (before.api["GET (no route)"] ?? 0)).toBe(1);
    expect(after.commands - before.commands).toBe(1);
  });

  it("control api - not served at all with admin: false (the in-process controls still work)", async () => {
    const sim = createProxmoxSimulator({ httpPort: 0, sshPort: 0, admin: false });
    try {
      const running = await sim.start();
      expect(running.adminUrl).toBeUndefined();
      expect((await fetch(`${running.baseUrl}/_sim/containers`)).status).toBe(404);
      expect(sim.containers()).toEqual([]);
    } finally {
      await sim.stop();
    }
  });
});
