/**
 * A PostgreSQL restart under load (issue 12, "Proved here"): the platform on a private PostgreSQL
 * (its own data directory and port; the shared server is never stopped) runs deploys and
 * life-cycle actions while the server is restarted, once cleanly (`stop -m fast`: every
 * connection cut) and once as after a crash (`stop -m immediate`: recovery from the WAL). The
 * services are not restarted; every operation must end, once.
 */
import { type Platform, startPlatform } from "@proximity/e2e";
import { testServers } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PrivatePostgres, startPrivatePostgres } from "../src/index.js";
import {
  actOnAll,
  appsInFlight,
  assertDoneOnce,
  deployAll,
  FAST_RETRIES,
  prepareWorkload,
  settledAll,
  type Workload,
} from "../src/operations.js";

/** How long the apps may take to settle after a restart (well below the claim TTL above). */
const RECOVERY_MS = 50_000;

let postgres: PrivatePostgres;
let platform: Platform;
let work: Workload;

beforeAll(async () => {
  postgres = await startPrivatePostgres();
  platform = await startPlatform({
    databaseUrl: postgres.url,
    natsUrl: testServers().natsUrl,
    logLevel: process.env.TEST_LOG_LEVEL,
    nodes: ["pve1", "pve2"],
    // Proxmox tasks of 150 ms: operations are still running when the fault comes.
    taskDurationMs: 150,
    // A claim left behind by an attempt the restart broke would hold its operation for 90 s:
    // far beyond the bound the apps must settle in (RECOVERY_MS).
    provisionerEnv: { ...FAST_RETRIES, PROVISIONER_CONCURRENCY: "8", OPERATION_CLAIM_TTL_MS: "90000" },
    gatewayEnv: { RATE_LIMIT_PER_MINUTE: "100000" },
  });
  work = await prepareWorkload(platform, 100);
}, 90_000);

afterAll(async () => {
  await platform?.stop();
  await postgres?.cleanup();
}, 60_000);

describe("a PostgreSQL restart during deploys and actions", () => {
  it("postgres restart - 24 deploys and 12 actions across a fast and an immediate restart: each done once, nothing lost", async () => {
    const hostnames = Array.from({ length: 24 }, (_, i) => `pg-${String(i).padStart(2, "0")}`);

    // Deploys in flight when every connection is cut; more once the server is back.
    const first = await deployAll(work.user, hostnames.slice(0, 16));
    expect(await appsInFlight(platform), "deploys in flight at the restart").toBeGreaterThan(0);
    await postgres.restart("fast");
    const second = await deployAll(work.user, hostnames.slice(16));
    const ids = [...first, ...second];
    for (const app of await settledAll(work.user, ids, RECOVERY_MS))
      expect(app.status, `${app.hostname}: ${app.status_message}`).toBe("running");

    // Actions in flight when the server crashes.
    const stopped = ids.slice(0, 8);
    const restarted = ids.slice(8, 12);
    await actOnAll(work.user, stopped, "stop");
    await actOnAll(work.user, restarted, "restart");
    expect(await appsInFlight(platform), "actions in flight at the crash").toBeGreaterThan(0);
    await postgres.restart("immediate");
    await settledAll(work.user, ids, RECOVERY_MS);

    await assertDoneOnce(platform, work.user, testServers().natsUrl, {
      apps: new Map(ids.map((id) => [id, stopped.includes(id) ? "stopped" : "running"])),
      actions: new Map([...stopped, ...restarted].map((id) => [id, 1])),
    });
  }, 150_000);
});
