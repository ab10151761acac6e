import { randomUUID } from "node:crypto";
import { freeTcpPort } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_PASSWORD, type Harness, startHarness } from "./support/gateway-harness.js";
import { login, request } from "./support/http-client.js";

let h: Harness;
let metricsPort: number;
beforeAll(async () => {
  metricsPort = await freeTcpPort();
  h = await startHarness({ env: { METRICS_PORT: String(metricsPort) } });
});
afterAll(async () => {
  await h?.stop();
});

const scrape = async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
const line = (text: string, prefix: string) => text.split("\n").find((l) => l.startsWith(prefix));

describe("gateway metrics", () => {
  it("GET /metrics - HTTP requests by route pattern, method and status, never the raw URL", async () => {
    const admin = await login(h.url, "admin", ADMIN_PASSWORD);
    const appId = randomUUID();
    expect((await request(h.url, "GET", `/api/apps/${appId}`, { auth: admin })).status).toBe(404);
    const unmatched = `/api/no-such-thing/${randomUUID()}`;
    expect((await request(h.url, "GET", unmatched)).status).toBe(404);

    const text = await scrape();
    expect(
      line(text, 'proximity_http_requests_total{route="/api/apps/:id",method="GET",status="404"}'),
    ).toMatch(/ 1$/);
    expect(
      line(text, 'proximity_http_requests_total{route="/api/auth/login",method="POST",status="200"}'),
    ).toBeDefined();
    expect(
      line(text, 'proximity_http_requests_total{route="(unmatched)",method="GET",status="404"}'),
    ).toBeDefined();
    expect(
      line(text, 'proximity_http_request_duration_seconds_count{route="/api/apps/:id",method="GET"}'),
    ).toMatch(/ 1$/);
    expect(text).not.toContain(appId);
    expect(text).not.toContain("no-such-thing");
    expect(text).not.toContain(admin.userId);
  });

  it("the public port does not serve /metrics", async () => {
    const res = await request(h.url, "GET", "/metrics");
    expect(res.status).toBe(404);
    expect(JSON.stringify(res.body)).not.toContain("proximity_http_requests_total");
  });
});
