import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_PASSWORD, type Harness, startHarness } from "./support/gateway-harness.js";
import { issueToken, login, request, type Session } from "./support/http-client.js";

let h: Harness;
let admin: Session;

beforeAll(async () => {
  h = await startHarness();
  admin = await login(h.url, "admin", ADMIN_PASSWORD);
  // Counts UPDATE statements on api_tokens (a statement trigger of this scratch database only).
  await sql`create table token_updates (at timestamptz not null default now())`.execute(h.db);
  await sql`create function count_token_update() returns trigger language plpgsql as $$
    begin insert into token_updates default values; return null; end $$`.execute(h.db);
  await sql`create trigger count_token_updates after update on api_tokens
    for each statement execute function count_token_update()`.execute(h.db);
});
afterAll(async () => {
  await h?.stop();
});

const updates = async () =>
  Number((await sql<{ n: string }>`select count(*) as n from token_updates`.execute(h.db)).rows[0]!.n);

describe("tokens - last use", () => {
  it("tokens - requests write no row; the last use is written later in one statement and listed", async () => {
    const token = await issueToken(h.url, admin, { name: "poller", scopes: ["read"] });
    const [, id] = token.split("_");
    const before = await updates();
    const answers = await Promise.all(
      Array.from({ length: 25 }, () => request(h.url, "GET", "/api/apps", { auth: { bearer: token } })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(25).fill(200));
    // Answered without a write on the way.
    expect(await updates()).toBe(before);

    let listed: { last_used_at: string | null } | undefined;
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const list = await request(h.url, "GET", "/api/auth/tokens", { auth: admin });
      listed = list.body.items.find((t: { id: string }) => t.id === id);
      if (listed?.last_used_at) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(listed?.last_used_at).not.toBeNull();
    expect(Date.now() - Date.parse(listed!.last_used_at!)).toBeLessThan(30_000);
    // 25 uses, one UPDATE (two if a flush fell in the middle of them).
    expect(await updates()).toBeGreaterThanOrEqual(before + 1);
    expect(await updates()).toBeLessThanOrEqual(before + 2);

    // A use within the minute after does not write the row again.
    const written = await updates();
    await request(h.url, "GET", "/api/apps", { auth: { bearer: token } });
    await new Promise((r) => setTimeout(r, 6_000));
    const row = await h.db
      .selectFrom("api_tokens")
      .select("last_used_at")
      .where("id", "=", id!)
      .executeTakeFirstOrThrow();
    expect(row.last_used_at?.toISOString()).toBe(listed!.last_used_at);
    expect(await updates()).toBeLessThanOrEqual(written + 1);
  });
});
