/**
 * A failed attempt frees its claim even when the database is away at that moment (issue 12's
 * PostgreSQL restart test): the release is retried until the server answers, so the request's
 * next delivery can claim the operation instead of finding it "busy" until the claim expires and
 * spending its deliveries on that. The database sits behind a TCP relay the test cuts and restores.
 */
import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { releaseClaimPatiently } from "../src/app/operations/release-claim.js";
import type { ProvisionerDatabase } from "../src/db/database.js";
import { claimOperation, findOperation, insertOperationIfAbsent } from "../src/db/operation.repository.js";
import { type RelayedDatabase, relayedDatabase } from "./support/relayed-database.js";
import type { TcpRelay } from "./support/tcp-relay.js";

let direct: Kysely<ProvisionerDatabase>;
let relayed: Kysely<ProvisionerDatabase>;
let relay: TcpRelay;
let dbs: RelayedDatabase | undefined;

beforeAll(async () => {
  dbs = await relayedDatabase({ acquireMs: 3_000 });
  ({ direct, relayed, relay } = dbs);
});

afterAll(async () => {
  await dbs?.close();
});

async function claimedOperation(worker: string): Promise<string> {
  const id = randomUUID();
  // Through the relay first: it works while up.
  expect(await findOperation(relayed, id)).toBeUndefined();
  await insertOperationIfAbsent(direct, { id, kind: "deploy", appId: randomUUID(), hostId: "h", node: "n" });
  expect(await claimOperation(direct, id, worker, 60_000, true)).toBeDefined();
  return id;
}

describe("releasing a claim across a database outage", () => {
  it("release claim - retried while the database is away, done once it is back: the next delivery claims at once", async () => {
    const id = await claimedOperation("worker-1");
    relay.down();
    const released = releaseClaimPatiently(relayed, id, "worker-1", "database restarted", {
      withinMs: 20_000,
    });
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await findOperation(direct, id))?.claimed_by, "still claimed while the database is away").toBe(
      "worker-1",
    );
    relay.up();
    await released;
    const row = await findOperation(direct, id);
    expect(row).toMatchObject({ claimed_by: null, claimed_until: null, last_error: "database restarted" });
    expect(await claimOperation(direct, id, "worker-2", 60_000, true)).toMatchObject({
      claimed_by: "worker-2",
    });
  });

  it("release claim - gives up with the database's error once the claim would have expired anyway", async () => {
    const id = await claimedOperation("worker-1");
    relay.down();
    try {
      const started = Date.now();
      await expect(
        releaseClaimPatiently(relayed, id, "worker-1", "x", { withinMs: 1_500, firstDelayMs: 50 }),
      ).rejects.toThrow(/database is unavailable/);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      relay.up();
    }
    expect((await findOperation(direct, id))?.claimed_by).toBe("worker-1");
  });
});
