import { createDatabase, migrateDown, migrateToLatest } from "@proximity/db";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { gatewayMigrations } from "../src/db/migrations/index.js";
import { createGatewayTestDatabase } from "./support/test-database.js";

describe("migrations - gateway schema", () => {
  it("migrations - up creates every table and down removes them all", async () => {
    const database = await createGatewayTestDatabase();
    const db = createDatabase<unknown>({ url: database.url, schema: "gateway" });
    const tables = async () => {
      const { rows } = await sql<{ table_name: string }>`
        select table_name from information_schema.tables
        where table_schema = 'gateway' and table_name not like 'kysely_%' order by table_name`.execute(db);
      return rows.map((r) => r.table_name);
    };
    try {
      const options = { schema: "gateway", migrations: gatewayMigrations };
      expect(await migrateToLatest(db, options)).toEqual(["0001_identity"]);
      expect(await tables()).toEqual(["api_tokens", "login_attempts", "request_audit", "sessions", "users"]);
      expect(await migrateDown(db, { ...options, all: true })).toEqual(["0001_identity"]);
      expect(await tables()).toEqual([]);
      expect(await migrateToLatest(db, options)).toEqual(["0001_identity"]);
    } finally {
      await db.destroy();
      await database.drop();
    }
  });
});
