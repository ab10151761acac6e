/**
 * Scale in simulation (issue 10, goal 4): BENCH_HOSTS simulated Proxmox hosts (default 1,000, one
 * simulator process: SIM_HOSTS, services/proxmox-sim/src/fleet.ts) of BENCH_NODES nodes with
 * BENCH_APPS_PER_HOST running containers each (default 100), every one of them an app seeded
 * straight into the applications schema, and the services as separate processes
 * (src/platform-processes.ts). Measures, over a soak of BENCH_SOAK_MINUTES (default 2; the issue's
 * figure is 30: `BENCH_SOAK_MINUTES=30 pnpm bench:scale`):
 * - host checks: how long the oldest check result is (≤ HOST_CHECK_INTERVAL_MS when every host is
 *   checked once per interval), and the largest number of checks requested in one second (a burst
 *   or a trickle);
 * - observation rounds: from the interval boundary to the last ContainersObserved handled by the
 *   applications service (≤ OBSERVE_INTERVAL_MS; the provisioner publishes them straight to
 *   JetStream, so its database keeps no trace of them), and the oldest app metrics (freshness);
 * - GET /api/apps?per_page=50 of a user with BENCH_APPS_PER_HOST apps, p50/p99, while the loops
 *   work on every host, against the bare baseline: the same list while they have one host;
 * - CPU per service per observation interval, and RSS per service at the start and end of the soak,
 *   sampled every BENCH_MEMORY_EVERY_S (default 60) in between, with the provisioner's JavaScript
 *   heap and its memory outside the heap (from its /metrics), to tell a leak from a level-off.
 *
 * Intervals: BENCH_OBSERVE_INTERVAL_MS (default 15,000, the provisioner's default) and
 * BENCH_CHECK_INTERVAL_MS (default 60,000, the hosts service's default).
 */
import { randomUUID } from "node:crypto";
import { existsSync, rmSync } from "node:fs";
import pg from "pg";
import { freePort } from "../../scripts/platform/ports.js";
import { GatewayClient } from "../e2e/src/index.js";
import { runLoad } from "./src/load.js";
import { startPlatformProcesses } from "./src/platform-processes.js";
import { cpuMs, rssMiB } from "./src/proc.js";
import { profileEnv } from "./src/profile.js";
import { BenchReport, percentiles } from "./src/report.js";
import { SimFleet } from "./src/sim-fleet.js";

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const hosts = num("BENCH_HOSTS", 1000);
const appsPerHost = num("BENCH_APPS_PER_HOST", 100);
const nodeCount = num("BENCH_NODES", 2);
const observeMs = num("BENCH_OBSERVE_INTERVAL_MS", 15_000);
const checkMs = num("BENCH_CHECK_INTERVAL_MS", 60_000);
const soakMinutes = num("BENCH_SOAK_MINUTES", 2);
const listSeconds = num("BENCH_LIST_SECONDS", 10);
const listConnections = num("BENCH_LIST_CONNECTIONS", 16);
const memoryEveryMs = num("BENCH_MEMORY_EVERY_S", 60) * 1000;
const nodes = Array.from({ length: nodeCount }, (_, i) => `pve${i + 1}`);

const report = new BenchReport("scale", {
  hosts,
  appsPerHost,
  nodesPerHost: nodeCount,
  observeIntervalMs: observeMs,
  hostCheckIntervalMs: checkMs,
  soakMinutes,
  listSeconds,
  listConnections,
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fleet = new SimFleet();
const provisionerMetricsPort = await freePort();

console.log(
  `scale: ${hosts} hosts × ${appsPerHost} apps (${nodeCount} nodes each), observation every ${observeMs} ms, host checks every ${checkMs} ms, soak ${soakMinutes} min`,
);
const platform = await startPlatformProcesses({
  // tsx unless asked (BENCH_COMPILED=1 after `pnpm build`): a stale dist would run old code.
  compiled: process.env.BENCH_COMPILED === "1",
  nodes,
  simulatorEnv: {
    ...fleet.simulatorEnv(hosts),
    SIM_CONTAINERS_PER_HOST: String(appsPerHost),
  },
  // BENCH_PROFILE=<dir>: every service writes a V8 CPU profile to <dir>/<service>/ when it stops.
  serviceEnv: {
    "api-gateway": {
      RATE_LIMIT_PER_MINUTE: "100000000",
      RATE_LIMIT_PER_USER_PER_MINUTE: "100000000",
      ...profileEnv("api-gateway"),
    },
    provisioner: {
      OBSERVE_INTERVAL_MS: String(observeMs),
      METRICS_PORT: String(provisionerMetricsPort),
      ...profileEnv("provisioner"),
    },
    hosts: { HOST_CHECK_INTERVAL_MS: String(checkMs), ...profileEnv("hosts") },
    applications: profileEnv("applications"),
    backups: profileEnv("backups"),
    secrets: profileEnv("secrets"),
  },
});
const db = new pg.Pool({ connectionString: platform.databaseUrl, max: 2 });
const pids = () => platform.processes().map((p) => ({ name: `${p.service}#${p.replica}`, pid: p.pid }));
const alive = (pid: number) => existsSync(`/proc/${pid}`);

try {
  const admin = new GatewayClient(platform.url);
  await admin.login(platform.adminUsername, platform.adminPassword);
  const password = `bench-${randomUUID()}`;
  const user = await admin.post("/api/users", { username: "scale-user", password });
  if (user.status !== 201) throw new Error(`create user: ${user.status} ${JSON.stringify(user.body)}`);
  const userClient = new GatewayClient(platform.url);
  await userClient.login("scale-user", password);
  const token = await userClient.post("/api/auth/tokens", { name: "bench", scopes: ["read"] });
  if (token.status !== 201) throw new Error(`create token: ${token.status}`);
  const listUrl = `${platform.url}/api/apps?per_page=50`;
  const headers = { authorization: `Bearer ${token.body.token}` };

  // Host 0 (registered at start as "simulator") carries the user's apps: the list is the same
  // before and while the other hosts are worked on.
  const host0 = await hostIds();
  await seedApps(host0, user.body.id);
  const baseline = await runLoad({
    url: listUrl,
    connections: listConnections,
    durationSeconds: listSeconds,
    headers,
  });

  const fleetHosts = await fleet.ready(10 * 60_000);
  const registerStart = Date.now();
  await fleet.register(admin, fleetHosts, 8);
  const registerMs = Date.now() - registerStart;
  const all = await hostIds();
  await seedApps(
    all.filter((h) => !host0.some((z) => z.id === h.id)),
    randomUUID(),
  );
  console.log(
    `  registered ${fleetHosts.hosts.length} hosts in ${(registerMs / 1000).toFixed(1)} s; apps seeded`,
  );

  // Warm-up: every host checked and observed at least once.
  await sleep(Math.max(checkMs, observeMs) + observeMs);
  const procs = pids().filter((p) => alive(p.pid));
  const rssStart = new Map(procs.map((p) => [p.name, rssMiB(p.pid)]));
  const cpuStart = new Map(procs.map((p) => [p.name, cpuMs(p.pid)]));
  const soakStart = Date.now();
  const during = await runLoad({
    url: listUrl,
    connections: listConnections,
    durationSeconds: listSeconds,
    headers,
  });
  const rounds: { durationMs: number; observations: number }[] = [];
  const staleness: number[] = [];
  const freshness: number[] = [];
  const memory: MemorySample[] = [await memorySample(procs, 0)];
  while (Date.now() - soakStart < soakMinutes * 60_000) {
    await sleep(observeMs - (Date.now() % observeMs) + observeMs / 2);
    if (Date.now() - soakStart - memory.at(-1)!.atMs >= memoryEveryMs)
      memory.push(await memorySample(procs, Date.now() - soakStart));
    const r = await lastObservationRound();
    if (r) rounds.push(r);
    staleness.push(await oldestCheckMs());
    freshness.push(await oldestMetricsMs());
  }
  const soakMs = Date.now() - soakStart;
  const intervals = soakMs / observeMs;

  report.add({
    name: "host registration",
    value: (fleetHosts.hosts.length * 1000) / registerMs,
    unit: "hosts/s",
    note: "POST /api/proxmox/hosts, 8 at a time",
  });
  report.add({
    name: "host checks: oldest check result (worst sample)",
    value: Math.max(...staleness),
    unit: "ms",
    goal: { kind: "max", value: checkMs + 5_000 },
    note: `interval ${checkMs} ms (+5 s: a check's own time and the sampling)`,
  });
  report.add({
    name: "host checks: most requested in one second",
    value: await peakChecksPerSecond(soakStart),
    unit: "checks",
    note: `even spread: ${(all.length / (checkMs / 1000)).toFixed(1)}/s`,
  });
  const durations = rounds.map((r) => r.durationMs);
  report.add({
    name: "observation round (boundary → last node handled by applications), worst",
    value: Math.max(...durations),
    unit: "ms",
    goal: { kind: "max", value: observeMs },
    note: `p50 ${percentiles(durations).p50} ms; ${rounds.at(-1)?.observations ?? 0} of ${all.length * nodeCount} nodes observed in the last round or since`,
  });
  report.add({
    name: "metrics freshness: oldest app metrics (worst sample)",
    value: Math.max(...freshness),
    unit: "ms",
    goal: { kind: "max", value: 2 * observeMs },
  });
  report.add({
    name: "GET /api/apps p50 while the loops run",
    value: during.p50,
    unit: "ms",
    baseline: baseline.p50,
    note: "baseline: the loops with one host",
  });
  report.add({
    name: "GET /api/apps p99 while the loops run",
    value: during.p99,
    unit: "ms",
    baseline: baseline.p99,
  });
  report.add({
    name: "GET /api/apps requests/s while the loops run",
    value: during.requestsPerSecond,
    unit: "req/s",
    baseline: baseline.requestsPerSecond,
  });
  const services: Record<string, unknown> = {};
  for (const p of procs) {
    if (!alive(p.pid)) continue;
    const cpu = (cpuMs(p.pid) - cpuStart.get(p.name)!) / intervals;
    const rss = rssMiB(p.pid);
    services[p.name] = { cpuMsPerInterval: cpu, rssStartMiB: rssStart.get(p.name), rssEndMiB: rss };
    report.add({
      name: `${p.name}: CPU per observation interval`,
      value: cpu,
      unit: "ms",
      note: "list load included",
    });
    report.add({
      name: `${p.name}: RSS end of soak`,
      value: rss,
      unit: "MiB",
      note: `start ${rssStart.get(p.name)!.toFixed(0)} MiB, ${(soakMs / 60_000).toFixed(1)} min`,
    });
  }
  memory.push(await memorySample(procs, soakMs));
  printMemorySeries(memory);
  report.write({ services, rounds, baseline, during, memory });
} finally {
  await db.end().catch(() => undefined);
  rmSync(fleet.file, { force: true });
  await platform.stop();
}

interface MemorySample {
  atMs: number;
  rssMiB: Record<string, number>;
  /** The provisioner's JavaScript heap in use and its memory outside it (Buffers, TLS), MiB. */
  provisionerHeapMiB?: number;
  provisionerExternalMiB?: number;
}

async function memorySample(procs: { name: string; pid: number }[], atMs: number): Promise<MemorySample> {
  const rss = Object.fromEntries(procs.filter((p) => alive(p.pid)).map((p) => [p.name, rssMiB(p.pid)]));
  const sample: MemorySample = { atMs, rssMiB: rss };
  try {
    const res = await fetch(`http://127.0.0.1:${provisionerMetricsPort}/metrics`, {
      signal: AbortSignal.timeout(5_000),
    });
    const text = await res.text();
    const mib = (metric: string) => {
      const m = new RegExp(`^${metric} (\\S+)`, "m").exec(text);
      return m ? Number(m[1]) / 2 ** 20 : undefined;
    };
    sample.provisionerHeapMiB = mib("nodejs_heap_size_used_bytes");
    sample.provisionerExternalMiB = mib("nodejs_external_memory_bytes");
  } catch {
    // No figure this time (the provisioner busy or restarting): the series shows the gap.
  }
  return sample;
}

function printMemorySeries(series: readonly MemorySample[]): void {
  const names = Object.keys(series[0]?.rssMiB ?? {});
  const fmt = (v: number | undefined) => (v === undefined ? "-" : v.toFixed(0)).padStart(7);
  console.log("memory over the soak (MiB; provisioner heap used / outside the heap from its /metrics):");
  console.log(`  ${"min".padStart(5)}${names.map((n) => n.padStart(16)).join("")}  prov.heap  prov.ext`);
  for (const s of series)
    console.log(
      `  ${(s.atMs / 60_000).toFixed(1).padStart(5)}${names.map((n) => fmt(s.rssMiB[n]).padStart(16)).join("")}  ${fmt(s.provisionerHeapMiB)}    ${fmt(s.provisionerExternalMiB)}`,
    );
}

async function hostIds(): Promise<{ id: string; name: string }[]> {
  return (await db.query<{ id: string; name: string }>("select id, name from hosts.hosts order by name"))
    .rows;
}

/** Apps matching the simulator's seeded containers: VMID 100 + i on node i mod nodes, running. */
async function seedApps(on: readonly { id: string; name: string }[], ownerId: string): Promise<void> {
  if (on.length === 0) return;
  await db.query(
    `insert into applications.apps
       (id, owner_id, catalog_id, hostname, status, host_id, node, vmid, port)
     select gen_random_uuid(), $1, 'whoami', h.name || '-app-' || (100 + n), 'running', h.id,
            ($2::text[])[1 + n % cardinality($2::text[])], 100 + n, 80
     from unnest($3::text[], $4::text[]) as h(id, name), generate_series(0, $5::int - 1) as n`,
    [ownerId, nodes, on.map((h) => h.id), on.map((h) => h.name), appsPerHost],
  );
  await db.query("analyze applications.apps");
}

async function lastObservationRound(): Promise<{ durationMs: number; observations: number } | undefined> {
  // The last complete interval: boundary → the last ContainersObserved the applications service
  // handled in it (its inbox row: one per observation, made when the handler runs).
  const { rows } = await db.query<{ slot: string; n: string; last: string }>(
    `select floor(extract(epoch from processed_at) * 1000 / $1) as slot, count(*) as n,
            max(extract(epoch from processed_at) * 1000) as last
     from applications.inbox where consumer = 'applications-observations' and processed_at > now() - make_interval(secs => $1 * 3 / 1000.0)
     group by 1 order by 1 desc offset 1 limit 1`,
    [observeMs],
  );
  const row = rows[0];
  if (!row) return undefined;
  // Nodes whose latest observation (its time as the provisioner took it, the node's watermark)
  // is from that round or later: every node when each is observed every round. (Counting the
  // round's inbox rows by the time they were handled mixed rounds: 1,052 to 1,997 for one code.)
  const start = Number(row.slot) * observeMs;
  const { rows: nodes } = await db.query<{ n: string }>(
    "select count(*) as n from applications.observed_nodes where observed_at >= to_timestamp($1 / 1000.0)",
    [start],
  );
  return { durationMs: Number(row.last) - start, observations: Number(nodes[0]?.n ?? 0) };
}

async function oldestCheckMs(): Promise<number> {
  const { rows } = await db.query<{ ms: string }>(
    "select extract(epoch from now() - min(coalesce(last_checked_at, 'epoch'))) * 1000 as ms from hosts.hosts",
  );
  return Number(rows[0]?.ms ?? Number.NaN);
}

async function oldestMetricsMs(): Promise<number> {
  const { rows } = await db.query<{ ms: string; missing: string }>(
    `select extract(epoch from now() - min(coalesce(m.observed_at, 'epoch'))) * 1000 as ms
     from applications.apps a left join applications.app_metrics m on m.app_id = a.id`,
  );
  return Number(rows[0]?.ms ?? Number.NaN);
}

async function peakChecksPerSecond(since: number): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    `select coalesce(max(n), 0) as n from (
       select count(*) as n from hosts.outbox where type = 'proximity.events.v1.HostCheckRequested' and created_at >= to_timestamp($1 / 1000.0)
       group by date_trunc('second', created_at)) s`,
    [since],
  );
  return Number(rows[0]?.n ?? 0);
}
