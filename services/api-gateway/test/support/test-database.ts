import { createTestDatabase, eventually, testServers } from "@proximity/testing";
import pg from "pg";

export interface GatewayTestDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

/**
 * createTestDatabase, but `drop()` first waits until the closed pools' sockets are really gone.
 * pg-pool's end() resolves before its clients' sockets close; a forced drop in that window
 * kills a client that no longer has an error listener, which surfaces as an uncaught exception.
 */
export async function createGatewayTestDatabase(): Promise<GatewayTestDatabase> {
  const database = await createTestDatabase();
  return {
    url: database.url,
    drop: async () => {
      const admin = new pg.Client({ connectionString: testServers().databaseUrl });
      await admin.connect();
      try {
        await eventually(
          async () => {
            const { rows } = await admin.query(
              "select count(*)::int as n from pg_stat_activity where datname = $1",
              [database.name],
            );
            return rows[0].n === 0;
          },
          { timeoutMs: 5_000, what: `connections to ${database.name} to close` },
        );
      } finally {
        await admin.end();
      }
      await database.drop();
    },
  };
}
