/**
 * A NATS leader change under load (issue 12, "Proved here"): the platform on a private three-node
 * JetStream cluster (every stream and KV bucket in 3 copies, the services given all three URLs)
 * runs deploys and life-cycle actions while the server leading the stream that carries the deploy
 * and action requests is killed -9, then started again. Every operation must end, once.
 */
import { streamName } from "@proximity/bus";
import { type Platform, startPlatform } from "@proximity/e2e";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type NatsCluster,
  type PrivatePostgres,
  startNatsCluster,
  startPrivatePostgres,
} from "../src/index.js";
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

let cluster: NatsCluster;
let postgres: PrivatePostgres;
let platform: Platform;
let work: Workload;

beforeAll(async () => {
  // A database server of its own too: the shared one's connections are other tests' to use up.
  [cluster, postgres] = await Promise.all([startNatsCluster(), startPrivatePostgres()]);
  platform = await startPlatform({
    databaseUrl: postgres.url,
    natsUrl: cluster.servers,
    busReplicas: 3,
    logLevel: process.env.TEST_LOG_LEVEL,
    nodes: ["pve1", "pve2"],
    // Proxmox tasks of 150 ms: operations are still running when the fault comes.
    taskDurationMs: 150,
    // A delivery lost with its dead leader comes back after the ack wait (the claim TTL): 10 s
    // rather than 30 keeps the test short without changing what it proves.
    provisionerEnv: { ...FAST_RETRIES, PROVISIONER_CONCURRENCY: "8", OPERATION_CLAIM_TTL_MS: "10000" },
    gatewayEnv: { RATE_LIMIT_PER_MINUTE: "100000" },
  });
  work = await prepareWorkload(platform, 100);
}, 90_000);

afterAll(async () => {
  await platform?.stop();
  await cluster?.stop();
  await postgres?.cleanup();
}, 60_000);

describe("a NATS stream leader killed -9 during deploys and actions", () => {
  it("leader change - 24 deploys and 12 actions across two leader kills: each done once, nothing lost, no dead letter", async () => {
    const commands = streamName(platform.busNamespace, "APPLICATIONS");
    const hostnames = Array.from({ length: 24 }, (_, i) => `lc-${String(i).padStart(2, "0")}`);

    // Deploys in flight, then their stream's leader dies; more deploys arrive during the election.
    const first = await deployAll(work.user, hostnames.slice(0, 16));
    const leader = await cluster.leaderOf(commands);
    expect(await appsInFlight(platform), "deploys in flight when the leader dies").toBeGreaterThan(0);
    await cluster.kill(leader);
    const second = await deployAll(work.user, hostnames.slice(16));
    expect(await cluster.awaitLeader(commands, { not: leader })).not.toBe(leader);
    await cluster.restart(leader);
    const ids = [...first, ...second];
    for (const app of await settledAll(work.user, ids))
      expect(app.status, `${app.hostname}: ${app.status_message}`).toBe("running");

    // Actions in flight, then the (new) leader dies too.
    await cluster.awaitLeader(commands, { allCurrent: true });
    const stopped = ids.slice(0, 8);
    const restarted = ids.slice(8, 12);
    await actOnAll(work.user, stopped, "stop");
    await actOnAll(work.user, restarted, "restart");
    const again = await cluster.leaderOf(commands);
    expect(await appsInFlight(platform), "actions in flight when the leader dies").toBeGreaterThan(0);
    await cluster.kill(again);
    await cluster.awaitLeader(commands, { not: again });
    await cluster.restart(again);

    await assertDoneOnce(platform, work.user, cluster.servers, {
      apps: new Map(ids.map((id) => [id, stopped.includes(id) ? "stopped" : "running"])),
      actions: new Map([...stopped, ...restarted].map((id) => [id, 1])),
    });
    // Each kill costs an election (5-8 s here) and, for a delivery lost with the leader, an ack
    // wait of the consumer that lost it (10 s for the provisioner's, 30 s for the others').
  }, 150_000);
});
