import { createDatabase, migrateToLatest } from "@proximity/db";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { gatewayMigrations } from "../src/db/migrations/index.js";
import { createGatewayTestDatabase } from "./support/test-database.js";

describe("migrations - 0003 sessions, tokens and audit", () => {
  it("migrations - tokens made without an expiry get the default lifetime, sessions a public id", async () => {
    const database = await createGatewayTestDatabase();
    const db = createDatabase<unknown>({ url: database.url, schema: "gateway" });
    try {
      const [first, second] = Object.entries(gatewayMigrations);
      await migrateToLatest(db, { schema: "gateway", migrations: Object.fromEntries([first!, second!]) });
      const user = await sql<{ id: string }>`
        insert into users (username, password_hash) values ('old', 'x') returning id`.execute(db);
      const userId = user.rows[0]!.id;
      await sql`insert into api_tokens (id, user_id, name, scopes, secret_hash)
        values (gen_random_uuid(), ${userId}, 'forever', '{read}', 'h')`.execute(db);
      await sql`insert into sessions (id_hash, user_id, csrf_hash, expires_at)
        values ('a', ${userId}, 'c', now() + interval '1 hour')`.execute(db);

      // Up to 0003, the migration under test (later ones add columns these inserts do not name).
      const through0003 = Object.fromEntries(Object.entries(gatewayMigrations).slice(0, 3));
      expect(Object.keys(through0003).at(-1)).toBe("0003_sessions_tokens_audit");
      await migrateToLatest(db, { schema: "gateway", migrations: through0003 });
      const token = await sql<{ days: number }>`
        select extract(epoch from expires_at - now()) / 86400 as days from api_tokens`.execute(db);
      expect(Number(token.rows[0]!.days)).toBeCloseTo(90, 1);
      const session = await sql<{ id: string }>`select id from sessions`.execute(db);
      expect(session.rows[0]!.id).toMatch(/^[0-9a-f-]{36}$/);
      // Every token expires from now on: the column refuses a token without one.
      await expect(
        sql`insert into api_tokens (id, user_id, name, scopes, secret_hash)
          values (gen_random_uuid(), ${userId}, 'x', '{read}', 'h')`.execute(db),
      ).rejects.toThrow(/expires_at/);
    } finally {
      await db.destroy();
      await database.drop();
    }
  });
});
