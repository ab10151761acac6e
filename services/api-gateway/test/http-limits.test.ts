import { connect, type Socket } from "node:net";
import { applicationsV1 } from "@proximity/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadGatewayConfig } from "../src/config.js";
import { ADMIN_PASSWORD, type Harness, startHarness } from "./support/gateway-harness.js";
import { login, request } from "./support/http-client.js";
import { openSse } from "./support/sse-client.js";

const LIMITS = {
  HTTP_REQUEST_TIMEOUT_MS: "1000",
  HTTP_HEADERS_TIMEOUT_MS: "600",
  HTTP_CONNECTION_TIMEOUT_MS: "5000",
  HTTP_BODY_LIMIT_BYTES: "2048",
  HTTP_MAX_CONNECTIONS: "20",
  SSE_POLL_INTERVAL_MS: "100",
  SSE_HEARTBEAT_MS: "300",
};

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: LIMITS });
});
afterAll(async () => {
  await h?.stop();
});

/** A raw connection to the gateway that records what it receives and when it is closed. */
function rawConnection(): Promise<{ socket: Socket; received: () => string; closed: Promise<number> }> {
  const { hostname, port } = new URL(h.url);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let data = "";
    const socket = connect({ host: hostname, port: Number(port) }, () =>
      resolve({
        socket,
        received: () => data,
        closed: new Promise((done) => socket.on("close", () => done(Date.now() - started))),
      }),
    );
    socket.on("data", (chunk) => {
      data += chunk.toString("latin1");
    });
    socket.on("error", () => {});
    socket.once("error", reject);
  });
}

describe("http limits - timeouts and sizes of the public port", () => {
  it("http limits - a client sending its body byte by byte is cut off after the request timeout", async () => {
    const conn = await rawConnection();
    conn.socket.write(
      "POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n",
    );
    const drip = setInterval(() => conn.socket.writable && conn.socket.write("a"), 150);
    try {
      const closedAfter = await conn.closed;
      // requestTimeout 1 s, checked every second at most: cut well before the 1000 bytes would arrive (150 s).
      expect(closedAfter).toBeLessThan(4_000);
      expect(closedAfter).toBeGreaterThanOrEqual(900);
      expect(conn.received()).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      clearInterval(drip);
    }
  });

  it("http limits - a client that never finishes its headers is cut off after the headers timeout", async () => {
    const conn = await rawConnection();
    conn.socket.write("GET /api/health HTTP/1.1\r\nHost: x\r\n");
    const drip = setInterval(() => conn.socket.writable && conn.socket.write("X-Slow: 1\r\n"), 100);
    try {
      expect(await conn.closed).toBeLessThan(3_000);
    } finally {
      clearInterval(drip);
    }
  });

  it("http limits - a body over the limit is refused with 413 and {detail}", async () => {
    const res = await request(h.url, "POST", "/api/auth/login", {
      body: { username: "admin", password: "x".repeat(4096) },
    });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ detail: "Request body too large" });
  });

  it("http limits - an event stream outlives the request timeout (it only covers receiving the request)", async () => {
    const session = await login(h.url, "admin", ADMIN_PASSWORD);
    const app = h.fakes.apps.seed({
      ownerId: session.userId,
      status: applicationsV1.AppStatus.APP_STATUS_RUNNING,
    });
    const sse = await openSse(h.url, `/api/apps/${app.id}/events`, { auth: session });
    try {
      expect(sse.status).toBe(200);
      await new Promise((r) => setTimeout(r, 2_500));
      const line = h.fakes.apps.addLog(app.id, { step: "update", message: "still streaming" });
      const event = await sse.waitFor((e) => e.id === String(line.id), "a log line after 2.5 s", 3_000);
      expect(event.data.message).toBe("still streaming");
      expect(sse.events.filter((e) => e.comment === "heartbeat").length).toBeGreaterThanOrEqual(3);
    } finally {
      sse.close();
    }
  });

  it("http limits - connections beyond the maximum are dropped", async () => {
    const held = await Promise.all(Array.from({ length: 20 }, () => rawConnection()));
    try {
      const extra = await rawConnection();
      expect(await extra.closed).toBeLessThan(2_000);
      expect(extra.received()).toBe("");
    } finally {
      for (const conn of held) conn.socket.destroy();
    }
  });

  it("http limits - inconsistent timeouts are refused at start", () => {
    const base = { DATABASE_URL: "postgres://x@127.0.0.1/x", SERVICE_KEYS_DIR: "/unused" };
    expect(() =>
      loadGatewayConfig({ ...base, HTTP_REQUEST_TIMEOUT_MS: "1000", HTTP_HEADERS_TIMEOUT_MS: "2000" }),
    ).toThrow(/HTTP_HEADERS_TIMEOUT_MS: must not be greater than HTTP_REQUEST_TIMEOUT_MS/);
    expect(() =>
      loadGatewayConfig({ ...base, HTTP_CONNECTION_TIMEOUT_MS: "10000", SSE_HEARTBEAT_MS: "15000" }),
    ).toThrow(/HTTP_CONNECTION_TIMEOUT_MS: must be greater than SSE_HEARTBEAT_MS/);
  });
});
