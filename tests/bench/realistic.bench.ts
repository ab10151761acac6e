/**
 * Realistic deploys (issue 10, goal 3): BENCH_DEPLOYS deploys (default 500) spread evenly over
 * BENCH_HOSTS simulated hosts (default 10, one simulator process: SIM_HOSTS) of 2 nodes, tasks of
 * BENCH_TASK_MS (2 s) and commands inside containers of BENCH_COMMAND_MS (1 s), the services as
 * separate processes with BENCH_REPLICAS provisioner replicas (default 3) and a per-node limit of
 * BENCH_NODE_CONCURRENCY (default 4; the host limit is set so that it does not bind).
 *
 * Prints the burst's total time (first POST → last app running) against the ideal the per-node
 * limit sets: ceil(deploys per node ÷ limit) × one deploy's duration measured alone in the same
 * run (goal ≤ 1.5×); each replica's share of the operations; the most deploys seen working on
 * one node at once (sampled, and from the journal's start/end times; never above the limit);
 * duplicate VMIDs (0).
 *
 *   pnpm bench:realistic
 *   BENCH_DEPLOYS=100 BENCH_HOSTS=5 BENCH_REPLICAS=2 pnpm bench:realistic
 */
import { rmSync } from "node:fs";
import pg from "pg";
import { GatewayClient } from "../e2e/src/index.js";
import { startPlatformProcesses } from "./src/platform-processes.js";
import { cpuMs } from "./src/proc.js";
import { BenchReport } from "./src/report.js";
import { SimFleet } from "./src/sim-fleet.js";

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const deploys = num("BENCH_DEPLOYS", 500);
const hostCount = num("BENCH_HOSTS", 10);
const taskMs = num("BENCH_TASK_MS", 2_000);
const commandMs = num("BENCH_COMMAND_MS", 1_000);
const replicas = num("BENCH_REPLICAS", 3);
const nodeLimit = num("BENCH_NODE_CONCURRENCY", 4);
const nodes = ["pve1", "pve2"];

const report = new BenchReport("realistic", {
  deploys,
  hosts: hostCount,
  nodesPerHost: nodes.length,
  taskMs,
  commandMs,
  provisionerReplicas: replicas,
  nodeConcurrency: nodeLimit,
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fleet = new SimFleet();

console.log(
  `realistic: ${deploys} deploys over ${hostCount} hosts × ${nodes.length} nodes, tasks ${taskMs} ms, commands ${commandMs} ms, ${replicas} provisioner replicas, ${nodeLimit} per node`,
);
const platform = await startPlatformProcesses({
  nodes,
  // The sources as they are (BENCH_COMPILED=1: services' dist, which `pnpm build` must have refreshed).
  compiled: process.env.BENCH_COMPILED === "1",
  keepState: process.env.BENCH_KEEP_STATE === "1",
  simulatorEnv: {
    SIM_TASK_MS: String(taskMs),
    SIM_COMMAND_MS: String(commandMs),
    ...fleet.simulatorEnv(hostCount),
  },
  replicas: { provisioner: replicas },
  serviceEnv: {
    "api-gateway": { RATE_LIMIT_PER_MINUTE: "100000000", RATE_LIMIT_PER_USER_PER_MINUTE: "100000000" },
    applications: { APP_QUOTA_DEFAULT: String(deploys * 10) },
    provisioner: {
      PROVISIONER_NODE_CONCURRENCY: String(nodeLimit),
      PROVISIONER_HOST_CONCURRENCY: String(nodeLimit * nodes.length),
    },
  },
});
const db = new pg.Pool({ connectionString: platform.databaseUrl, max: 3 });

try {
  const admin = new GatewayClient(platform.url);
  await admin.login(platform.adminUsername, platform.adminPassword);
  console.log(`  platform started (${platform.runtime})`);
  if (hostCount > 1) await fleet.register(admin, await fleet.ready(5 * 60_000));
  const hosts = await onlineHosts(hostCount);
  console.log(`  ${hosts.length} hosts reachable`);
  const placements = hosts.flatMap((h) => nodes.map((node) => ({ hostId: h.id, node })));

  // One deploy alone (after a warm-up one): the unit of the ideal.
  await deployAll([placements[0]!], "warmup");
  const aloneStart = Date.now();
  await deployAll([placements[0]!], "alone");
  const aloneMs = Date.now() - aloneStart;
  console.log(`  one deploy alone: ${(aloneMs / 1000).toFixed(1)} s`);

  const cpuStart = provisioners().map((p) => cpuMs(p.pid));
  const burst = Array.from({ length: deploys }, (_, i) => placements[i % placements.length]!);
  const sampler = sampleWorking();
  const burstStart = Date.now();
  const { ids, failed } = await deployAll(burst, "burst").catch(async (err: unknown) => {
    await sampler.stop();
    throw err;
  });
  const totalMs = Date.now() - burstStart;
  const samples = await sampler.stop();

  const perNode = Math.ceil(deploys / placements.length);
  const idealMs = Math.ceil(perNode / nodeLimit) * aloneMs;
  report.add({
    name: "burst: first POST → last app running",
    value: totalMs / 1000,
    unit: "s",
    note: `${failed} failed; ideal ${(idealMs / 1000).toFixed(1)} s = ceil(${perNode} per node ÷ ${nodeLimit}) × ${(aloneMs / 1000).toFixed(1)} s alone`,
  });
  report.add({
    name: "burst time ÷ ideal",
    value: totalMs / idealMs,
    unit: "×",
    goal: { kind: "max", value: 1.5 },
  });
  report.add({ name: "burst throughput", value: (deploys * 1000) / totalMs, unit: "deploys/s" });
  const journal = await journalOverlap(ids);
  report.add({
    name: "most deploys working on one node at once (journal start/end)",
    value: journal,
    unit: "ops",
    goal: { kind: "max", value: nodeLimit },
    note: `sampled every 200 ms: ${samples.maxPerNode}`,
  });
  const shares = replicaShares(samples.claimedBy);
  provisioners().forEach((p, i) => {
    report.add({
      name: `provisioner#${p.replica}: share of the burst's operations`,
      value: (100 * (shares.get(p.pid) ?? 0)) / Math.max(1, samples.claimedBy.size),
      unit: "%",
      note: `${shares.get(p.pid) ?? 0} of ${samples.claimedBy.size} seen; CPU ${((cpuMs(p.pid) - cpuStart[i]!) / deploys).toFixed(1)} ms per deploy`,
    });
  });
  report.add({
    name: "duplicate VMIDs",
    value: await duplicateVmids(),
    unit: "",
    goal: { kind: "max", value: 0 },
  });
  report.write({ aloneMs, idealMs, totalMs, failed, maxPerNodeSampled: samples.maxPerNode });
} finally {
  await db.end().catch(() => undefined);
  rmSync(fleet.file, { force: true });
  await platform.stop();
}

function provisioners() {
  return platform.processes().filter((p) => p.service === "provisioner");
}

/** POSTs every deploy (32 at a time) and waits until each app is running or in error. */
async function deployAll(
  at: readonly { hostId: string; node: string }[],
  prefix: string,
): Promise<{ ids: string[]; failed: number }> {
  const admin = new GatewayClient(platform.url);
  await admin.login(platform.adminUsername, platform.adminPassword);
  const ids: string[] = [];
  let next = 0;
  const lane = async () => {
    while (next < at.length) {
      const i = next++;
      const p = at[i]!;
      const res = await admin.post("/api/apps", {
        catalog_id: "whoami",
        hostname: `${prefix}-${i}`,
        host_id: p.hostId,
        node: p.node,
      });
      if (res.status !== 202)
        throw new Error(`deploy ${prefix}-${i}: ${res.status} ${JSON.stringify(res.body)}`);
      ids.push(res.body.id);
    }
  };
  await Promise.all(Array.from({ length: 32 }, lane));
  let lastReport = Date.now();
  for (;;) {
    const { rows } = await db.query<{ status: string; n: string }>(
      "select status, count(*) as n from applications.apps where id = any($1) group by status",
      [ids],
    );
    const count = (s: string) => Number(rows.find((r) => r.status === s)?.n ?? 0);
    if (count("running") + count("error") === ids.length) return { ids, failed: count("error") };
    if (Date.now() - lastReport > 30_000) {
      lastReport = Date.now();
      console.log(`  ${prefix}: ${rows.map((r) => `${r.n} ${r.status}`).join(", ")}`);
    }
    await sleep(100);
  }
}

/** Samples the provisioner's journal: deploys working per node, and which worker held each. */
function sampleWorking() {
  const claimedBy = new Map<string, string>();
  let maxPerNode = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      // A failed burst ends the pool under the sampler: the burst's own error is what matters.
      if (db.ended) return;
      const { rows } = await db.query<{ id: string; host_id: string; node: string; claimed_by: string }>(
        "select id, host_id, node, claimed_by from provisioner.operations where status = 'running' and kind = 'deploy' and claimed_by is not null",
      );
      const perNode = new Map<string, number>();
      for (const r of rows) {
        claimedBy.set(r.id, r.claimed_by);
        const key = `${r.host_id}/${r.node}`;
        perNode.set(key, (perNode.get(key) ?? 0) + 1);
      }
      maxPerNode = Math.max(maxPerNode, ...perNode.values());
      await sleep(200);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { claimedBy, maxPerNode };
    },
  };
}

/** Operations seen per replica (worker id `<hostname>:<pid>:<random>`), by pid. */
function replicaShares(claimedBy: ReadonlyMap<string, string>): Map<number, number> {
  const out = new Map<number, number>();
  for (const worker of claimedBy.values()) {
    const pid = Number(worker.split(":")[1]);
    out.set(pid, (out.get(pid) ?? 0) + 1);
  }
  return out;
}

/**
 * The most deploys of `appIds` whose journal [start, end] overlap on one node. Only operations done
 * in one attempt: a retried one's span covers the backoff between attempts, when it held no slot.
 */
async function journalOverlap(appIds: readonly string[]): Promise<number> {
  const { rows } = await db.query<{ key: string; at: string; d: number }>(
    `select host_id || '/' || node as key, extract(epoch from created_at) * 1000 as at, 1 as d
       from provisioner.operations where kind = 'deploy' and attempts = 1 and app_id = any($1)
     union all
     select host_id || '/' || node, extract(epoch from updated_at) * 1000, -1
       from provisioner.operations where kind = 'deploy' and attempts = 1 and app_id = any($1)
     order by 2, 3`,
    [appIds],
  );
  const now = new Map<string, number>();
  let max = 0;
  for (const r of rows) {
    const n = (now.get(r.key) ?? 0) + Number(r.d);
    now.set(r.key, n);
    max = Math.max(max, n);
  }
  return max;
}

async function duplicateVmids(): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    `select count(*) as n from (select host_id, vmid from applications.apps where vmid is not null
       group by 1, 2 having count(*) > 1) d`,
  );
  return Number(rows[0]?.n ?? 0);
}

/** The first `count` hosts once every one is reachable (host checks run right after registration). */
async function onlineHosts(count: number): Promise<{ id: string }[]> {
  const end = Date.now() + 5 * 60_000;
  for (;;) {
    const { rows } = await db.query<{ id: string; status: string }>(
      "select id, status from hosts.hosts order by name",
    );
    if (rows.length >= count && rows.every((r) => r.status === "reachable")) return rows.slice(0, count);
    if (Date.now() > end) throw new Error(`hosts not reachable: ${JSON.stringify(rows)}`);
    await sleep(500);
  }
}
