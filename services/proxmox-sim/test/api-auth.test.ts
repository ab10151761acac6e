import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEBIAN, type SimHarness, startSim, TOKEN, USER } from "./support/sim-fixture.js";

describe("auth", () => {
  let h: SimHarness;
  beforeAll(async () => {
    h = await startSim();
  });
  afterAll(() => h.sim.stop());

  it("api token - accepted without CSRF, also on POST", async () => {
    const r = await h.call("GET", "/version");
    expect(r.status).toBe(200);
    expect(r.body.data).toMatchObject({ release: expect.stringMatching(/^\d+\.\d+$/) });
    // A state-changing POST with the token header only (h.call sends no CSRFPreventionToken).
    const vmid = (await h.call("GET", "/cluster/nextid")).body.data as number;
    const created = await h.call("POST", "/nodes/pve1/lxc", {
      vmid,
      ostemplate: DEBIAN,
      hostname: `ct${vmid}`,
    });
    expect(created.status).toBe(200);
    expect(created.body.data).toMatch(new RegExp(`^UPID:pve1:.*:vzcreate:${vmid}:`));
    expect(await h.waitTask("pve1", created.body.data as string)).toMatchObject({ exitstatus: "OK" });
    expect(h.sim.containers().some((c) => c.vmid === vmid)).toBe(true);
  });

  it("missing auth - 401 with PVE error body", async () => {
    const r = await h.call("GET", "/nodes", {}, { noAuth: true });
    expect(r.status).toBe(401);
    expect(r.statusText).toBe("No ticket");
    expect(r.body).toEqual({ data: null, message: "No ticket\n" });
  });

  it("wrong token secret - 401 authentication failed", async () => {
    const r = await h.call(
      "GET",
      "/nodes",
      {},
      { noAuth: true, headers: { authorization: `PVEAPIToken=${TOKEN.tokenId}=nope` } },
    );
    expect(r.status).toBe(401);
    expect(r.body.message).toBe("Authentication failed!\n");
  });

  it("ticket - cookie works for GET, POST needs the CSRF token", async () => {
    const login = await h.call(
      "POST",
      "/access/ticket",
      { username: USER.username, password: USER.password },
      { noAuth: true },
    );
    expect(login.status).toBe(200);
    const grant = login.body.data as { ticket: string; CSRFPreventionToken: string; username: string };
    expect(grant.ticket).toMatch(/^PVE:root@pam:[0-9A-F]{8}::\S+$/);
    expect(grant.CSRFPreventionToken).toMatch(/^[0-9A-F]{8}:\S+$/);
    expect(grant.username).toBe("root@pam");
    const cookie = { cookie: `PVEAuthCookie=${encodeURIComponent(grant.ticket)}` };
    expect((await h.call("GET", "/nodes", {}, { noAuth: true, headers: cookie })).status).toBe(200);
    const ct = { vmid: 150, ostemplate: "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst" };
    const noCsrf = await h.call("POST", "/nodes/pve1/lxc", ct, { noAuth: true, headers: cookie });
    expect(noCsrf.status).toBe(401);
    expect(noCsrf.body.message).toBe("Permission denied - invalid csrf token\n");
    const withCsrf = await h.call("POST", "/nodes/pve1/lxc", ct, {
      noAuth: true,
      headers: { ...cookie, CSRFPreventionToken: grant.CSRFPreventionToken },
    });
    expect(withCsrf.status).toBe(200);
    expect(withCsrf.body.data).toMatch(/:vzcreate:150:root@pam:$/);
    await h.waitTask("pve1", withCsrf.body.data as string);
  });

  it("ticket - Authorization header form, JSON login, renewal with the ticket as password", async () => {
    const login = await h.call(
      "POST",
      "/access/ticket",
      { username: "root", realm: "pam", password: USER.password },
      { noAuth: true, json: true },
    );
    const { ticket } = login.body.data as { ticket: string };
    const viaHeader = await h.call(
      "GET",
      "/version",
      {},
      { noAuth: true, headers: { authorization: `PVEAuthCookie=${ticket}` } },
    );
    expect(viaHeader.status).toBe(200);
    const renewed = await h.call(
      "POST",
      "/access/ticket",
      { username: USER.username, password: ticket },
      { noAuth: true },
    );
    expect(renewed.status).toBe(200);
    const tampered = `${ticket.slice(0, -4)}AAAA`;
    const bad = await h.call(
      "GET",
      "/version",
      {},
      { noAuth: true, headers: { cookie: `PVEAuthCookie=${tampered}` } },
    );
    expect(bad.status).toBe(401);
  });

  it("login - wrong password is 401 authentication failure", async () => {
    const r = await h.call(
      "POST",
      "/access/ticket",
      { username: USER.username, password: "wrong" },
      { noAuth: true },
    );
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ data: null, message: "authentication failure\n" });
  });
});

describe("auth delay", () => {
  it("401 - answered only after authFailureDelayMs", async () => {
    const h = await startSim({ authFailureDelayMs: 1_500 });
    try {
      const t0 = performance.now();
      const r = await h.call("GET", "/version", {}, { noAuth: true });
      const failed = performance.now() - t0;
      expect(r.status).toBe(401);
      expect(failed).toBeGreaterThanOrEqual(1_450);
      // A good request is not delayed: it takes well under the delay the failed one (measured just
      // before) had to wait; half the delay is a margin a busy machine cannot eat.
      const t1 = performance.now();
      expect((await h.call("GET", "/version")).status).toBe(200);
      expect(performance.now() - t1).toBeLessThan(Math.min(failed, 1_500) - 750);
    } finally {
      await h.sim.stop();
    }
  });
});
