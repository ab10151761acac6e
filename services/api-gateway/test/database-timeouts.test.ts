import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_PASSWORD, type Harness, startHarness } from "./support/gateway-harness.js";
import { login, request } from "./support/http-client.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: { DB_STATEMENT_TIMEOUT_MS: "300" } });
});
afterAll(async () => {
  await h?.stop();
});

describe("database timeouts - the gateway answers 503 instead of hanging", () => {
  it("database timeouts - a request whose query waits past the statement timeout gets 503 {detail}, then the gateway recovers", async () => {
    const session = await login(h.url, "admin", ADMIN_PASSWORD);
    // Another transaction holds the sessions table: every authenticated request's lookup waits.
    const started = Date.now();
    const res = await h.db.connection().execute(async (conn) => {
      await sql`begin`.execute(conn);
      try {
        await sql`lock table sessions in access exclusive mode`.execute(conn);
        return await request(h.url, "GET", "/api/auth/me", { auth: session });
      } finally {
        await sql`rollback`.execute(conn);
      }
    });
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ detail: "The database is unavailable or too slow, try again later" });
    expect(Date.now() - started).toBeLessThan(3_000);
    // The cause reaches the log, not the client.
    expect(h.logLines.some((line) => line.includes("canceling statement due to statement timeout"))).toBe(
      true,
    );

    const after = await request(h.url, "GET", "/api/auth/me", { auth: session });
    expect(after.status).toBe(200);
  });
});
