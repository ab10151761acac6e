/**
 * Host checks against the simulator: HostCheckRequested in, HostChecked out through the outbox;
 * reachable with the simulator's version and nodes, or unreachable with a safe text when it is down.
 */
import { randomUUID } from "node:crypto";
import type { Bus } from "@proximity/bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHECK_ERRORS } from "../src/app/check-host.js";
import { type Harness, HOST_ID, NODE, startHarness } from "./support/harness.js";
import {
  hostChecked,
  reportFor as reportOf,
  requestCheck as requestCheckOf,
} from "./support/host-check-events.js";

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ HOST_CHECK_TIMEOUT_MS: "1000" });
});

afterAll(async () => {
  await h?.close();
});

const requestCheck = (_bus: Bus, hostId = HOST_ID) => requestCheckOf(h, hostId);
const reportFor = (checkId: string) => reportOf(h.bus, checkId);

describe("host checks", () => {
  it("host check - a reachable host reports its version and the simulator's nodes", async () => {
    const checkId = await requestCheck(h.bus);
    const report = await reportFor(checkId);
    const version = await h.pve.version();
    const [node] = await h.pve.listNodes();
    expect(report).toMatchObject({
      hostId: HOST_ID,
      reachable: true,
      error: "",
      pveVersion: version.version,
    });
    expect(report.pveVersion).not.toBe("");
    expect(report.nodes).toEqual([
      expect.objectContaining({
        name: NODE,
        status: "online",
        maxMemBytes: node!.maxmem,
        maxCpu: node!.maxcpu,
      }),
    ]);
    expect(report.nodes[0]!.maxMemBytes).toBeGreaterThan(0);
  });

  it("host check - one failed or dropped call is tried again: the host stays reachable", async () => {
    h.sim.addFault({
      match: { method: "GET", path: "^/version$" },
      effect: { kind: "http-error", status: 500, message: "transient" },
      times: 1,
    });
    h.sim.addFault({ match: { method: "GET", path: "^/nodes$" }, effect: { kind: "reset" }, times: 1 });
    try {
      const report = await reportFor(await requestCheck(h.bus));
      expect(report).toMatchObject({ reachable: true, error: "" });
      expect(report.nodes.map((n) => n.name)).toEqual([NODE]);
    } finally {
      h.sim.clearFaults();
    }
  });

  it("host check - a host that is down is reported unreachable with a safe text, once", async () => {
    h.sim.setHostDown(true);
    try {
      const checkId = await requestCheck(h.bus);
      const report = await reportFor(checkId);
      expect(report).toMatchObject({
        reachable: false,
        error: CHECK_ERRORS.noAnswer,
        pveVersion: "",
        nodes: [],
      });
      // A failed check is a result: acknowledged, not retried into more reports.
      await new Promise((r) => setTimeout(r, 1_500));
      expect((await hostChecked(h.bus)).filter((r) => r.checkId === checkId)).toHaveLength(1);
    } finally {
      h.sim.setHostDown(false);
    }
  });

  it("host check - refused credentials are reported as such, without Proxmox's text", async () => {
    h.peers.secrets.set(`proxmox/hosts/${HOST_ID}/api`, Buffer.from(randomUUID()));
    const checkId = await requestCheck(h.bus);
    const report = await reportFor(checkId);
    expect(report).toMatchObject({ reachable: false, error: CHECK_ERRORS.credentials });
  });

  it("host check - a host no longer registered gets no report", async () => {
    const checkId = await requestCheck(h.bus, "no-such-host");
    const known = await requestCheck(h.bus);
    await reportFor(known);
    expect((await hostChecked(h.bus)).some((r) => r.checkId === checkId)).toBe(false);
  });
});
