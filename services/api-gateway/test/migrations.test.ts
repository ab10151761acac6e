import { createDatabase, migrateDown, migrateToLatest } from "@proximity/db";
import { tablesIn } from "@proximity/testing";
import { describe, expect, it } from "vitest";
import { gatewayMigrations } from "../src/db/migrations/index.js";
import { createGatewayTestDatabase } from "./support/test-database.js";

describe("migrations - gateway schema", () => {
  it("migrations - up creates every table and down removes them all", async () => {
    const database = await createGatewayTestDatabase();
    const db = createDatabase<unknown>({ url: database.url, schema: "gateway" });
    try {
      const options = { schema: "gateway", migrations: gatewayMigrations };
      const names = Object.keys(gatewayMigrations);
      expect(names.slice(0, 2)).toEqual(["0001_identity", "0002_login_throttle"]);
      expect(await migrateToLatest(db, options)).toEqual(names);
      expect(await tablesIn(db, "gateway")).toEqual([
        "api_tokens",
        "auth_events",
        "login_known_sources",
        "login_throttle",
        "request_audit",
        "sessions",
        "users",
      ]);
      expect(await migrateDown(db, { ...options, all: true })).toEqual([...names].reverse());
      expect(await tablesIn(db, "gateway")).toEqual([]);
      expect(await migrateToLatest(db, options)).toEqual(names);
    } finally {
      await db.destroy();
      await database.drop();
    }
  });
});
