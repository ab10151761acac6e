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
      expect(await migrateToLatest(db, options)).toEqual(["0001_identity"]);
      expect(await tablesIn(db, "gateway")).toEqual([
        "api_tokens",
        "login_attempts",
        "request_audit",
        "sessions",
        "users",
      ]);
      expect(await migrateDown(db, { ...options, all: true })).toEqual(["0001_identity"]);
      expect(await tablesIn(db, "gateway")).toEqual([]);
      expect(await migrateToLatest(db, options)).toEqual(["0001_identity"]);
    } finally {
      await db.destroy();
      await database.drop();
    }
  });
});
