import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_PASSWORD, type Harness, startHarness } from "./support/gateway-harness.js";
import { issueToken, login, request } from "./support/http-client.js";

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

describe("logging - no secrets in the gateway's logs", () => {
  it("logging - passwords, session ids, CSRF and API tokens, host credentials never appear; request lines do", async () => {
    const secrets: string[] = [ADMIN_PASSWORD, "wrong-password-in-log-test"];
    await request(h.url, "POST", "/api/auth/login", { body: { username: "admin", password: secrets[1] } });
    const session = await login(h.url, "admin", ADMIN_PASSWORD);
    secrets.push(/proximity_session=([^;]+)/.exec(session.cookie)![1]!, session.csrf);
    const token = await issueToken(h.url, session, { name: "log-test" });
    secrets.push(token);
    await request(h.url, "GET", "/api/apps", { auth: { bearer: token } });
    await request(h.url, "GET", "/api/apps", { auth: { bearer: `${token}x` } });
    const hostSecret = "host-api-secret-in-log-test";
    await request(h.url, "POST", "/api/proxmox/hosts", {
      auth: session,
      body: {
        name: "x",
        address: "h",
        auth_mode: "password",
        username: "root@pam",
        api_secret: hostSecret,
        nodes: [],
      },
    });
    secrets.push(hostSecret);
    h.fakes.fail("getApp", "INTERNAL", "boom");
    await request(h.url, "GET", `/api/apps/${crypto.randomUUID()}`, { auth: session });
    await request(h.url, "POST", "/api/users", {
      auth: session,
      body: { username: "logged", password: "user-password-in-log" },
    });
    secrets.push("user-password-in-log");

    const log = h.logLines.join("");
    expect(log).toContain('"msg":"request completed"');
    expect(log).toMatch(/"requestId":"[^"]+".*"traceId":"[0-9a-f]{32}"/);
    expect(log).toContain(`"userId":"${session.userId}"`);
    for (const secret of secrets) expect(log).not.toContain(secret);
  });

  it("logging - a request's line carries its request id, trace id and user id, once each and in that order", async () => {
    const session = await login(h.url, "admin", ADMIN_PASSWORD);
    const token = await issueToken(h.url, session, { name: "log-ids-test" });
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const requestId = `log-ids-${process.pid}`;
    await request(h.url, "GET", "/api/apps?per_page=50", {
      auth: { bearer: token },
      headers: { "x-request-id": requestId, traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    const line = h.logLines.find(
      (l) => l.includes(`"requestId":"${requestId}"`) && l.includes("request completed"),
    );
    expect(line).toBeDefined();
    const keys = [...line!.matchAll(/"(\w+)":/g)].map((m) => m[1]);
    expect(keys).toEqual([
      "level",
      "time",
      "service",
      "version",
      "requestId",
      "traceId",
      "userId",
      "method",
      "route",
      "status",
      "clientAddress",
      "durationMs",
      "msg",
    ]);
    expect(JSON.parse(line!)).toMatchObject({
      requestId,
      traceId,
      userId: session.userId,
      method: "GET",
      route: "/api/apps",
      status: 200,
      msg: "request completed",
    });
  });
});
