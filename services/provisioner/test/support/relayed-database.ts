/**
 * A migrated scratch provisioner database reached two ways: `direct`, and `relayed` through a TCP
 * relay the test cuts (`relay.down()`) and restores (`relay.up()`), for database outages without
 * stopping the server everyone shares.
 *
 *   const dbs = await relayedDatabase({ acquireMs: 1_000 });
 *   dbs.relay.down(); … dbs.relay.up();
 *   await dbs.close();
 */
import { createDatabase, prepareSchema } from "@proximity/db";
import { createTestDatabase } from "@proximity/testing";
import type { Kysely } from "kysely";
import type { ProvisionerDatabase } from "../../src/db/database.js";
import { provisionerMigrations } from "../../src/db/migrations/index.js";
import { startTcpRelay, type TcpRelay } from "./tcp-relay.js";

export interface RelayedDatabase {
  direct: Kysely<ProvisionerDatabase>;
  relayed: Kysely<ProvisionerDatabase>;
  relay: TcpRelay;
  /** Closes both pools and the relay, then drops the database. */
  close(): Promise<void>;
}

/** `acquireMs`: how long the relayed pool waits for a connection (an outage's requests fail after it). */
export async function relayedDatabase(o: { acquireMs: number }): Promise<RelayedDatabase> {
  const testDb = await createTestDatabase();
  const schema = "provisioner";
  const direct = createDatabase<ProvisionerDatabase>({ url: testDb.url, schema });
  let relay: TcpRelay | undefined;
  try {
    await prepareSchema(direct, { schema, migrations: provisionerMigrations, migrate: true });
    relay = await startTcpRelay(new URL(testDb.url));
  } catch (err) {
    // Nothing is handed out: the setup drops what it made before failing.
    await direct.destroy();
    await testDb.drop();
    throw err;
  }
  const url = new URL(testDb.url);
  url.host = `127.0.0.1:${relay.port}`;
  const relayed = createDatabase<ProvisionerDatabase>({
    url: url.toString(),
    schema,
    timeouts: { acquireMs: o.acquireMs },
  });
  const opened = relay;
  return {
    direct,
    relayed,
    relay,
    close: async () => {
      await relayed.destroy();
      await direct.destroy();
      await opened.close();
      await testDb.drop();
    },
  };
}
