/**
 * List benchmark (issue 10, goal 1): GET /api/apps?per_page=50 with an API token, for a user with
 * 10,000 apps (20,000 in all), 64 connections, against the platform and, in the same run, a bare
 * fastify → pg server answering the same page from the same table. Prints requests/s, p50/p99, the
 * ratio to the bare server and each service's CPU per request beside the goals; writes
 * bench-results/list.json. Figures are printed, never asserted.
 *
 *   pnpm bench:list
 *   BENCH_APPS=10000 BENCH_CONNECTIONS=64 BENCH_SECONDS=15 pnpm bench:list
 * Uses TEST_DATABASE_URL / TEST_NATS_URL, else the local standard ports.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { GatewayClient } from "../e2e/src/index.js";
import { startListPlatform } from "./src/list-platform.js";
import { seedApps } from "./src/list-seed.js";
import { type LoadResult, runLoad } from "./src/load.js";
import { cpuMs, cpuMsOfCommand, machineCpuMs } from "./src/proc.js";
import { BenchReport } from "./src/report.js";

const apps = Number(process.env.BENCH_APPS ?? 10_000);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 64);
const seconds = Number(process.env.BENCH_SECONDS ?? 15);
const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const idleSeconds = Number(process.env.BENCH_IDLE_SECONDS ?? 3);
const perPage = 50;

const report = new BenchReport("list", { apps, totalApps: apps * 2, connections, seconds, perPage });
const platform = await startListPlatform();
let bare: Awaited<ReturnType<typeof startBare>> | undefined;
try {
  // A user, an API token of theirs, their apps and as many of someone else's.
  const admin = new GatewayClient(platform.url);
  await admin.login(platform.adminUsername, platform.adminPassword);
  const password = `bench-${crypto.randomUUID()}`;
  const created = await admin.post("/api/users", { username: "bench-user", password });
  if (created.status !== 201)
    throw new Error(`create user: ${created.status} ${JSON.stringify(created.body)}`);
  const user = new GatewayClient(platform.url);
  await user.login("bench-user", password);
  const token = await user.post("/api/auth/tokens", { name: "bench", scopes: ["read"] });
  if (token.status !== 201) throw new Error(`create token: ${token.status} ${JSON.stringify(token.body)}`);
  await seedApps({
    databaseUrl: platform.databaseUrl,
    ownerId: created.body.id,
    count: apps,
    prefix: "bench",
  });
  await seedApps({
    databaseUrl: platform.databaseUrl,
    ownerId: crypto.randomUUID(),
    count: apps,
    prefix: "other",
  });

  const headers = { authorization: `Bearer ${token.body.token}` };
  const platformUrl = `${platform.url}/api/apps?per_page=${perPage}`;
  const check = await fetch(platformUrl, { headers });
  const page = (await check.json()) as { items: unknown[]; total: number };
  if (check.status !== 200 || page.items.length !== perPage || page.total !== apps)
    throw new Error(
      `unexpected first page: ${check.status} ${page.items?.length} items, total ${page.total}`,
    );

  bare = await startBare(platform.databaseUrl, created.body.id);
  const bareUrl = `${bare.url}/apps?per_page=${perPage}`;

  // Warm both up (JIT, pools, caches), then measure each for the same duration.
  await runLoad({ url: bareUrl, connections, durationSeconds: warmupSeconds });
  await runLoad({ url: platformUrl, connections, durationSeconds: warmupSeconds, headers });
  const bareCpuBefore = cpuMs(bare.pid);
  const bareMachine = machineCpuMs();
  const barePostgres = cpuMsOfCommand("postgres");
  const bareResult = await runLoad({ url: bareUrl, connections, durationSeconds: seconds });
  const bareShare = shareOfRun(bareMachine, barePostgres, bareResult.requests);
  const bareCpuPerRequest = (cpuMs(bare.pid) - bareCpuBefore) / bareResult.requests;
  // Stopped before the platform's run: its idle connections would close during it and take their
  // CPU out of PostgreSQL's figure.
  await bare.stop();
  // What each service spends idle (timers, polling) is measured first and taken off, so the figure
  // is the CPU of the requests alone.
  const idle = await idleCpuMsPerSecond(platform.processes(), idleSeconds);
  const cpuBefore = platform.processes().map((p) => ({ ...p, cpu: cpuMs(p.pid) }));
  const platformMachine = machineCpuMs();
  const platformPostgres = cpuMsOfCommand("postgres");
  const started = performance.now();
  const result = await runLoad({ url: platformUrl, connections, durationSeconds: seconds, headers });
  const platformShare = shareOfRun(platformMachine, platformPostgres, result.requests);
  const elapsedSeconds = (performance.now() - started) / 1000;
  const cpuPerRequest = cpuBefore.map((p) => ({
    name: p.name,
    ms: (cpuMs(p.pid) - p.cpu - (idle.get(p.pid) ?? 0) * elapsedSeconds) / result.requests,
  }));

  failures("platform", result);
  failures("bare", bareResult);
  console.log(
    `GET /api/apps?per_page=${perPage}, ${apps} apps of ${apps * 2}, ${connections} connections, ${seconds} s`,
  );
  report.add({
    name: "requests/s",
    value: result.requestsPerSecond,
    unit: "req/s",
    baseline: bareResult.requestsPerSecond,
  });
  report.add({
    name: "ratio to bare fastify → pg",
    value: result.requestsPerSecond / bareResult.requestsPerSecond,
    unit: "×",
    goal: { kind: "min", value: 0.5 },
  });
  report.add({ name: "p50", value: result.p50, unit: "ms", baseline: bareResult.p50 });
  report.add({
    name: "p99",
    value: result.p99,
    unit: "ms",
    goal: { kind: "max", value: 50 },
    baseline: bareResult.p99,
  });
  for (const p of cpuPerRequest)
    report.add({
      name: `CPU per request, ${p.name}`,
      value: p.ms,
      unit: "ms",
      note: `${platform.cpuNote}, idle CPU taken off`,
    });
  report.add({
    name: "CPU per request, bare server",
    value: bareCpuPerRequest,
    unit: "ms",
    note: "fastify → pg, its own process",
  });
  report.add({
    name: "CPU per request, PostgreSQL",
    value: platformShare.postgresMsPerRequest,
    unit: "ms",
    baseline: bareShare.postgresMsPerRequest,
    note: "every backend",
  });
  report.add({
    name: "machine CPU busy",
    value: platformShare.busyPercent,
    unit: "%",
    baseline: bareShare.busyPercent,
    note: "all cores, load generator included",
  });
  report.write({ platform: result, bare: bareResult, mode: platform.mode });
} finally {
  await bare?.stop();
  await platform.stop();
}

async function idleCpuMsPerSecond(
  processes: { pid: number }[],
  seconds: number,
): Promise<Map<number, number>> {
  const before = processes.map((p) => ({ pid: p.pid, cpu: cpuMs(p.pid) }));
  await new Promise((r) => setTimeout(r, seconds * 1000));
  return new Map(before.map((p) => [p.pid, (cpuMs(p.pid) - p.cpu) / seconds]));
}

/** What PostgreSQL spent per request and how busy the machine was during one load run. */
function shareOfRun(
  machineBefore: { busy: number; total: number },
  postgresBefore: number,
  requests: number,
): { postgresMsPerRequest: number; busyPercent: number } {
  const machine = machineCpuMs();
  return {
    postgresMsPerRequest: (cpuMsOfCommand("postgres") - postgresBefore) / requests,
    busyPercent: (100 * (machine.busy - machineBefore.busy)) / (machine.total - machineBefore.total),
  };
}

function failures(what: string, r: LoadResult): void {
  if (r.non2xx > 0 || r.errors > 0)
    console.warn(
      `  warning: ${what}: ${r.non2xx} non-2xx answers, ${r.errors} errors, ${r.timeouts} timeouts`,
    );
}

async function startBare(databaseUrl: string, ownerId: string) {
  // node with tsx's loader rather than the tsx command: the pid is then the server's own.
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(import.meta.dirname, "src/bare-list-server.ts")],
    {
      env: { ...process.env, BARE_DATABASE_URL: databaseUrl, BARE_OWNER_ID: ownerId },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening (\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once("exit", (code) => reject(new Error(`bare server exited (${code})`)));
  });
  return {
    url,
    pid: child.pid!,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    },
  };
}
