/**
 * Deploy overhead (issue 10, goal 2): the services as separate processes, as in production, against
 * a simulator whose tasks and container commands take no time, so what is measured is the platform.
 *
 * 1. One at a time (BENCH_SEQUENTIAL, default 30): POST /api/apps → `running` as the API reports
 *    it (GET /api/apps/{id} every BENCH_POLL_MS, default 5 ms), p50/p95 against ≤ 50 ms.
 * 2. A burst of BENCH_BURST (default 500) deploys POSTed by BENCH_CLIENTS (default 32) clients:
 *    deploys/s from the first POST to the last app running, against ≥ 50/s. Completion is read
 *    from the database (not through the services) so the client's polling costs them nothing.
 * 3. CPU per deploy of each service process over the burst (/proc, user + system), and their
 *    total, against ≤ 20 ms. nats-server, PostgreSQL and the simulator are not counted. Beside
 *    each: its idle share, the CPU the process spends with nothing to do (measured over
 *    BENCH_IDLE_SECONDS, default 5, before the burst) for as long as the burst lasted.
 * 4. The bare baseline: the same Proxmox and SSH sequence driven directly against a simulator,
 *    with no platform (src/bare-deploy.ts).
 * 5. The per-stage breakdown of the median one-at-a-time deploy (src/deploy-stages.ts).
 *
 * Before all of it, a warm-up burst of BENCH_WARMUP (default 300) deploys, its throughput and CPU
 * printed as the cold figures: the service processes are fresh, and V8 spends the first hundreds of
 * deploys compiling their hot code (measured with perf: TurboFan's compile jobs were ~16 % of the
 * services' CPU in the first 30 s of a burst and ~8 % a minute later), so the measured phases run
 * on warmed code, as a long-running service does. BENCH_WARMUP=0 measures cold processes.
 *
 *   pnpm bench:deploy
 *   BENCH_SEQUENTIAL=10 BENCH_BURST=100 pnpm bench:deploy
 * Writes bench-results/deploy.json. Figures are printed, never asserted.
 */
import { readFileSync } from "node:fs";
import pg from "pg";
import type { SimRequestCounts } from "../../services/proxmox-sim/src/index.js";
import { GatewayClient } from "../e2e/src/index.js";
import { runBareDeploys, simulatorWork } from "./src/bare-deploy.js";
import { deployStages, medianGaps, printStages } from "./src/deploy-stages.js";
import { startPlatformProcesses } from "./src/platform-processes.js";
import { cpuMs, ioCalls } from "./src/proc.js";
import { profileEnv } from "./src/profile.js";
import { BenchReport, percentiles } from "./src/report.js";

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const sequential = num("BENCH_SEQUENTIAL", 30);
const burst = num("BENCH_BURST", 500);
const clients = num("BENCH_CLIENTS", 32);
const pollMs = num("BENCH_POLL_MS", 5);
const nodeConcurrency = num("BENCH_NODE_CONCURRENCY", 64);
const idleSeconds = num("BENCH_IDLE_SECONDS", 5);
const warmup = num("BENCH_WARMUP", 300);
const settings = {
  sequential,
  burst,
  warmup,
  clients,
  pollMs,
  nodeConcurrency,
  simulatorTaskMs: 0,
  simulatorCommandMs: 0,
};
const report = new BenchReport("deploy", settings);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

console.log(
  `deploy: a warm-up burst of ${warmup}, ${sequential} one at a time, then a burst of ${burst} (${clients} clients); simulator latency 0`,
);
// BENCH_PROFILE=<dir>: every service writes a V8 CPU profile to <dir>/<service>/ when it stops.
const profile = profileEnv;
const platform = await startPlatformProcesses({
  // Compiled JS only when asked (BENCH_COMPILED=1 after `pnpm build`): a stale dist/ would measure old code.
  compiled: process.env.BENCH_COMPILED === "1",
  keepState: process.env.BENCH_KEEP_STATE === "1",
  simulatorEnv: { SIM_TASK_MS: "0", SIM_COMMAND_MS: "0" },
  serviceEnv: {
    // One client address sends everything: lift the per-address and per-user limits.
    "api-gateway": {
      RATE_LIMIT_PER_MINUTE: "100000000",
      RATE_LIMIT_PER_USER_PER_MINUTE: "100000000",
      ...profile("api-gateway"),
    },
    applications: {
      APP_QUOTA_DEFAULT: String((warmup + sequential + burst) * 2 + 100),
      ...profile("applications"),
    },
    secrets: profile("secrets"),
    hosts: profile("hosts"),
    backups: profile("backups"),
    // Proxmox answers at once here: the per-node limit (sized for real tasks) would only queue.
    provisioner: {
      PROVISIONER_NODE_CONCURRENCY: String(nodeConcurrency),
      PROVISIONER_HOST_CONCURRENCY: String(nodeConcurrency * 2),
      TASK_POLL_INTERVAL_MS: "10",
      ...profile("provisioner"),
    },
  },
});
const db = new pg.Pool({ connectionString: platform.databaseUrl, max: 2 });

try {
  console.log(`  runtime: ${platform.runtime}`);
  const admin = new GatewayClient(platform.url);
  await admin.login(platform.adminUsername, platform.adminPassword);
  await hostOnline();

  const post = async (hostname: string): Promise<{ id: string; postedAt: number }> => {
    const postedAt = Date.now();
    const res = await admin.post("/api/apps", { catalog_id: "whoami", hostname });
    if (res.status !== 202) throw new Error(`deploy ${hostname}: ${res.status} ${JSON.stringify(res.body)}`);
    return { id: res.body.id, postedAt };
  };
  const deployOne = async (hostname: string) => {
    const started = performance.now();
    const { id, postedAt } = await post(hostname);
    for (;;) {
      const poll = await admin.get(`/api/apps/${id}`);
      if (poll.body?.status === "running") return { id, postedAt, ms: performance.now() - started };
      if (poll.body?.status === "error")
        throw new Error(`deploy ${hostname} failed: ${poll.body.status_message}`);
      await sleep(pollMs);
    }
  };

  for (let i = 0; i < 3; i++) await deployOne(`warmup-${i}`);
  const services = platform
    .processes()
    .filter((p) => p.service !== "nats-server" && p.service !== "proxmox-sim");
  /** POSTs `count` deploys from `clients` clients; the seconds until every one settled, and each service's CPU. */
  const natsServer = platform.processes().find((p) => p.service === "nats-server");
  /**
   * What the platform's servers have spent: the PostgreSQL backends of the bench's database (not
   * the server's other databases, nor its background processes) by pid, and nats-server. NaN when
   * no backend could be read (a server that is not on this machine).
   */
  const serversCpu = async () => {
    const { rows } = await db.query<{ pid: number }>(
      "select pid from pg_stat_activity where datname = current_database()",
    );
    const postgres = new Map<number, number>();
    for (const { pid } of rows) {
      try {
        // A server elsewhere (a container, another host) has pids that are not this machine's.
        if (readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "postgres") postgres.set(pid, cpuMs(pid));
      } catch {
        // The backend ended meanwhile: what it spent is lost to both samples.
      }
    }
    return { postgres, nats: natsServer ? cpuMs(natsServer.pid) : Number.NaN };
  };
  /** Backends present at `after`, less what each had spent at `before` (0 for a new one). */
  const spentSince = (before: Map<number, number>, after: Map<number, number>) =>
    after.size === 0
      ? Number.NaN
      : [...after].reduce((sum, [pid, ms]) => sum + ms - (before.get(pid) ?? 0), 0);
  const runBurst = async (count: number, prefix: string) => {
    const cpuBefore = services.map((p) => cpuMs(p.pid));
    const serversBefore = await serversCpu();
    const ids: string[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      // One session, `clients` requests in flight (logins at once would trip the login throttle).
      Array.from({ length: clients }, async () => {
        while (next < count) {
          const i = next++;
          const res = await admin.post("/api/apps", { catalog_id: "whoami", hostname: `${prefix}-${i}` });
          if (res.status !== 202)
            throw new Error(`deploy ${prefix}-${i}: ${res.status} ${JSON.stringify(res.body)}`);
          ids.push(res.body.id);
        }
      }),
    );
    const postedSeconds = (performance.now() - started) / 1000;
    const failed = await settled(ids);
    const seconds = (performance.now() - started) / 1000;
    const cpu = services.map((p, i) => cpuMs(p.pid) - cpuBefore[i]!);
    const serversAfter = await serversCpu();
    const servers = {
      postgres: spentSince(serversBefore.postgres, serversAfter.postgres),
      nats: serversAfter.nats - serversBefore.nats,
    };
    return { seconds, postedSeconds, failed, cpu, servers };
  };

  // 0. Warm-up (cold figures).
  const cold = warmup > 0 ? await runBurst(warmup, "warm") : undefined;

  // 1. One at a time.
  const seqWorkBefore = await platformWork();
  const seq: { id: string; postedAt: number; ms: number }[] = [];
  for (let i = 0; i < sequential; i++) seq.push(await deployOne(`seq-${i}`));
  const seqP = percentiles(seq.map((d) => d.ms));
  await sleep(300); // the last deploy's trailing events (none expected after its result)
  const seqWork = await platformWork(seqWorkBefore);

  // 2 + 3. The burst, with every service's CPU and I/O calls, and at rest before it.
  const idleBefore = services.map((p) => cpuMs(p.pid));
  await sleep(idleSeconds * 1000);
  const idleMsPerSecond = services.map((p, i) => (cpuMs(p.pid) - idleBefore[i]!) / idleSeconds);
  const ioBefore = services.map((p) => ioCalls(p.pid));
  const workBefore = await platformWork();
  const simBefore = await simulatorCounts();
  const measured = await runBurst(burst, "burst");
  const simWork = simulatorWork(simBefore, await simulatorCounts(), burst);
  const { seconds: burstSeconds, postedSeconds, failed } = measured;
  await sleep(1_000); // PostgreSQL reports a backend's transactions within a second
  const work = await platformWork(workBefore);
  const cpuPerDeploy = services.map((p, i) => ({
    ...p,
    ms: measured.cpu[i]! / burst,
    idleMs: (idleMsPerSecond[i]! * burstSeconds) / burst,
  }));
  const ioPerDeploy = services.map((p, i) => {
    const now = ioCalls(p.pid);
    return {
      service: p.service,
      writes: (now.writes - ioBefore[i]!.writes) / burst,
      reads: (now.reads - ioBefore[i]!.reads) / burst,
    };
  });

  // 4. The bare baseline, after the platform's figures (it runs in this process).
  const bare = await runBareDeploys({ sequential, burst, concurrency: clients });
  const bareP = percentiles(bare.sequentialMs);

  if (cold) {
    console.log(`warm-up burst of ${warmup} (fresh processes: cold figures, not the goal's):`);
    report.add({
      name: "cold burst throughput",
      value: warmup / cold.seconds,
      unit: "deploys/s",
      note: `${cold.seconds.toFixed(1)} s; ${cold.failed} failed`,
    });
    report.add({
      name: "cold CPU all services",
      value: cold.cpu.reduce((sum, ms) => sum + ms, 0) / warmup,
      unit: "ms/deploy",
      note: "simulator, nats-server and PostgreSQL excluded",
    });
  }
  console.log("one at a time:");
  report.add({
    name: "POST → running p50",
    value: seqP.p50,
    unit: "ms",
    goal: { kind: "max", value: 50 },
    baseline: bareP.p50,
  });
  report.add({ name: "POST → running p95", value: seqP.p95, unit: "ms", baseline: bareP.p95 });
  for (const [schema, n] of seqWork.events)
    if (n > 0)
      report.add({ name: `events recorded by ${schema}`, value: n / sequential, unit: "per deploy" });
  console.log(`burst of ${burst}:`);
  report.add({
    name: "burst throughput",
    value: burst / burstSeconds,
    unit: "deploys/s",
    goal: { kind: "min", value: 50 },
    baseline: bare.burstPerSecond,
    note: `${burstSeconds.toFixed(1)} s; all POSTed after ${postedSeconds.toFixed(1)} s; ${failed} failed`,
  });
  console.log("CPU per deploy over the burst (user + system, /proc):");
  const byService = new Map<string, { ms: number; idleMs: number }>();
  for (const p of cpuPerDeploy) {
    const sum = byService.get(p.service) ?? { ms: 0, idleMs: 0 };
    byService.set(p.service, { ms: sum.ms + p.ms, idleMs: sum.idleMs + p.idleMs });
  }
  const idleNote = (idleMs: number) => `of which ${idleMs.toFixed(2)} at rest`;
  for (const [service, { ms, idleMs }] of [...byService].sort((a, b) => b[1].ms - a[1].ms))
    report.add({ name: `CPU ${service}`, value: ms, unit: "ms/deploy", note: idleNote(idleMs) });
  const total = (pick: (v: { ms: number; idleMs: number }) => number) =>
    [...byService.values()].reduce((sum, v) => sum + pick(v), 0);
  report.add({
    name: "CPU all services",
    value: total((v) => v.ms),
    unit: "ms/deploy",
    goal: { kind: "max", value: 20 },
    note: `${idleNote(total((v) => v.idleMs))}; simulator, nats-server and PostgreSQL excluded`,
  });

  report.add({
    name: "CPU PostgreSQL",
    value: measured.servers.postgres / burst,
    unit: "ms/deploy",
    note: "the backends of the bench's database, its completion polling included (not in the total above)",
  });
  report.add({
    name: "CPU nats-server",
    value: measured.servers.nats / burst,
    unit: "ms/deploy",
    note: "not in the total above",
  });

  console.log("work per deploy over the burst (counted: steadier than CPU run to run):");
  report.add({
    name: "PostgreSQL transactions",
    value: work.transactions / burst,
    unit: "per deploy",
    note: "the whole database: this bench's polling for completion (every 50 ms) included",
  });
  for (const [schema, n] of work.events)
    report.add({ name: `events recorded by ${schema}`, value: n / burst, unit: "per deploy" });
  // Summed per service (replicas together), in the CPU figures' order.
  const io = new Map<string, { writes: number; reads: number }>();
  for (const p of ioPerDeploy) {
    const sum = io.get(p.service) ?? { writes: 0, reads: 0 };
    io.set(p.service, { writes: sum.writes + p.writes, reads: sum.reads + p.reads });
  }
  for (const [service, calls] of [...io].sort((a, b) => b[1].writes - a[1].writes))
    report.add({
      name: `write calls by ${service}`,
      value: calls.writes,
      unit: "per deploy",
      note: `and ${calls.reads.toFixed(1)} read calls (sockets and files, /proc/<pid>/io)`,
    });
  report.add({
    name: "Proxmox API calls",
    value: simWork.apiCalls,
    unit: "per deploy",
    baseline: bare.simulatorWork.apiCalls,
    note: routesBeyondBare(simWork.byRoute, bare.simulatorWork.byRoute),
  });
  report.add({
    name: "commands over SSH",
    value: simWork.commands,
    unit: "per deploy",
    baseline: bare.simulatorWork.commands,
  });
  const busiest = [...work.tables]
    .map(([name, t]) => ({ name, ...t, all: t.seq + t.idx + t.writes }))
    .filter((t) => t.all > 0)
    .sort((a, b) => b.all - a.all)
    .slice(0, 12);
  const perDeploy = (n: number) => (n / burst).toFixed(1);
  console.log("  busiest tables per deploy (index scans + sequential scans / rows written):");
  for (const t of busiest)
    console.log(`    ${t.name}: ${perDeploy(t.idx)} + ${perDeploy(t.seq)} / ${perDeploy(t.writes)}`);

  // 5. Where the time of one deploy goes (the median one-at-a-time deploy).
  const median = [...seq].sort((a, b) => a.ms - b.ms)[Math.floor(seq.length / 2)]!;
  const stages = await deployStages(platform.databaseUrl, median.id, median.postedAt);
  const timelines = [];
  for (const d of seq)
    timelines.push({ stages: await deployStages(platform.databaseUrl, d.id, d.postedAt), runningAtMs: d.ms });
  const medians = medianGaps(timelines);
  console.log(
    `per-stage breakdown of the median deploy (${median.ms.toFixed(0)} ms), ms since POST [each gap's median over the ${seq.length} deploys]:`,
  );
  printStages(stages, median.ms, medians);
  report.write({
    sequentialMs: seq.map((d) => Math.round(d.ms)),
    bareSequentialMs: bare.sequentialMs.map((ms) => Math.round(ms)),
    transactionsPerDeploy: work.transactions / burst,
    sequentialEventsPerDeploy: Object.fromEntries(
      [...seqWork.events].map(([schema, n]) => [schema, n / sequential]),
    ),
    eventsPerDeploy: Object.fromEntries([...work.events].map(([schema, n]) => [schema, n / burst])),
    tablesPerDeploy: Object.fromEntries(
      [...work.tables].map(([name, t]) => [
        name,
        { indexScans: t.idx / burst, sequentialScans: t.seq / burst, rowsWritten: t.writes / burst },
      ]),
    ),
    cpuPerDeploy: cpuPerDeploy.map(({ service, replica, ms, idleMs }) => ({ service, replica, ms, idleMs })),
    stages,
    stageMedianGaps: Object.fromEntries(medians),
  });
} finally {
  await db.end().catch(() => undefined);
  await platform.stop();
}

/**
 * What the platform's database did: transactions committed or rolled back (every statement outside
 * a transaction is one), and the events each service recorded in its outbox (created from
 * `since.at` on, when given), as counts since `since`.
 */
async function platformWork(since?: PlatformWork): Promise<PlatformWork> {
  const { rows } = await db.query<{ n: string; at: Date }>(
    "select xact_commit + xact_rollback as n, now() as at from pg_stat_database where datname = current_database()",
  );
  const at = rows[0]!.at;
  const transactions = Number(rows[0]!.n) - (since?.transactions ?? 0);
  const { rows: tableRows } = await db.query<{ name: string; seq: string; idx: string; writes: string }>(
    `select schemaname || '.' || relname as name, seq_scan as seq, coalesce(idx_scan, 0) as idx,
       n_tup_ins + n_tup_upd + n_tup_del as writes from pg_stat_user_tables`,
  );
  const tables = new Map(
    tableRows.map((t) => {
      const before = since?.tables.get(t.name);
      const counted = (n: string, was = 0) => Number(n) - was;
      return [
        t.name,
        {
          seq: counted(t.seq, before?.seq),
          idx: counted(t.idx, before?.idx),
          writes: counted(t.writes, before?.writes),
        },
      ];
    }),
  );
  const events = new Map<string, number>();
  if (since) {
    const { rows: outboxes } = await db.query<{ schema: string }>(
      "select table_schema as schema from information_schema.tables where table_name = 'outbox' order by 1",
    );
    for (const { schema } of outboxes) {
      const { rows: counted } = await db.query<{ n: string }>(
        `select count(*) as n from "${schema}".outbox where created_at >= $1`,
        [since.at],
      );
      events.set(schema, Number(counted[0]!.n));
    }
  }
  return { transactions, at, events, tables };
}

interface PlatformWork {
  readonly transactions: number;
  readonly at: Date;
  readonly events: Map<string, number>;
  /** Per table (schema.table): sequential and index scans, rows inserted, updated or deleted. */
  readonly tables: Map<string, { readonly seq: number; readonly idx: number; readonly writes: number }>;
}

/** Waits until the simulator host (registered at start by the hosts service) is online. */
async function hostOnline(): Promise<void> {
  const end = Date.now() + 120_000;
  for (;;) {
    const { rows } = await db.query<{ status: string }>("select status from hosts.hosts");
    if (rows.length > 0 && rows.every((r) => r.status === "online" || r.status === "reachable")) return;
    if (Date.now() > end) throw new Error(`simulator host not online: ${JSON.stringify(rows)}`);
    await sleep(200);
  }
}

/** Waits until every app is running or in error; returns how many are in error. */
async function settled(appIds: readonly string[]): Promise<number> {
  for (;;) {
    const { rows } = await db.query<{ status: string; n: string }>(
      "select status, count(*) as n from applications.apps where id = any($1) group by status",
      [appIds],
    );
    const count = (s: string) => Number(rows.find((r) => r.status === s)?.n ?? 0);
    if (count("running") + count("error") === appIds.length) return count("error");
    await sleep(50);
  }
}

/** What the simulator was asked since it started (its control API). */
async function simulatorCounts(): Promise<SimRequestCounts> {
  const res = await fetch(`${platform.simulatorAdminUrl}/_sim/counts`);
  if (!res.ok) throw new Error(`simulator counts: HTTP ${res.status}`);
  return ((await res.json()) as { data: SimRequestCounts }).data;
}

/** The routes the platform calls more often per deploy than the bare sequence does, e.g. "GET /x +1.0". */
function routesBeyondBare(
  platform: Readonly<Record<string, number>>,
  bare: Readonly<Record<string, number>>,
) {
  const beyond = Object.entries(platform)
    .map(([route, n]) => [route, n - (bare[route] ?? 0)] as const)
    .filter(([, extra]) => extra >= 0.05)
    .sort((a, b) => b[1] - a[1])
    .map(([route, extra]) => `${route} +${extra.toFixed(2)}`);
  return beyond.length > 0
    ? `beyond the bare sequence: ${beyond.join(", ")}`
    : "no route more than the bare sequence";
}
