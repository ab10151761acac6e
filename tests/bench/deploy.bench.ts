/**
 * Deploy benchmark: the whole platform in one process against the simulator, driven through the
 * gateway's REST API like a frontend. Prints the time from POST /api/apps to `running` (one app at
 * a time, then a concurrent burst) and the burst's throughput. Figures are printed, not asserted.
 *
 *   pnpm bench                      # defaults: 5 sequential, burst of 20, tasks of 300 ms
 *   BENCH_SEQUENTIAL=10 BENCH_BURST=40 BENCH_TASK_MS=1000 pnpm bench
 * Uses TEST_DATABASE_URL / TEST_NATS_URL, else the local standard ports.
 */
import { GatewayClient, startPlatform } from "../e2e/src/index.js";

const sequential = Number(process.env.BENCH_SEQUENTIAL ?? 5);
const burst = Number(process.env.BENCH_BURST ?? 20);
const taskDurationMs = Number(process.env.BENCH_TASK_MS ?? 300);

const platform = await startPlatform({
  databaseUrl: process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
  natsUrl: process.env.TEST_NATS_URL ?? "nats://127.0.0.1:4222",
  nodes: ["pve1", "pve2"],
  logLevel: process.env.BENCH_LOG_LEVEL ?? "silent",
  taskDurationMs,
  provisionerEnv: { PROVISIONER_CONCURRENCY: "8", TASK_POLL_INTERVAL_MS: "50" },
  // The benchmark polls like many browsers at once from one address: lift the per-address limit.
  gatewayEnv: { RATE_LIMIT_PER_MINUTE: "100000" },
});

try {
  const admin = new GatewayClient(platform.url);
  await admin.login(platform.adminUsername, platform.adminPassword);
  const host = await admin.post("/api/proxmox/hosts", platform.hostRegistration());
  if (host.status !== 201) throw new Error(`host registration failed: ${host.status}`);

  const deploy = async (hostname: string): Promise<number> => {
    const started = performance.now();
    const res = await admin.post("/api/apps", { catalog_id: "whoami", hostname });
    if (res.status !== 202) throw new Error(`deploy ${hostname}: ${res.status} ${JSON.stringify(res.body)}`);
    for (;;) {
      const poll = await admin.get(`/api/apps/${res.body.id}`);
      if (poll.status !== 200) throw new Error(`GET app ${hostname}: ${poll.status}`);
      const app = poll.body;
      if (app.status === "running") return performance.now() - started;
      if (app.status === "error") throw new Error(`deploy ${hostname} failed: ${app.status_message}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  const seq: number[] = [];
  for (let i = 0; i < sequential; i++) seq.push(await deploy(`bench-seq-${i}`));

  const burstStart = performance.now();
  const par = await Promise.all(Array.from({ length: burst }, (_, i) => deploy(`bench-burst-${i}`)));
  const burstSeconds = (performance.now() - burstStart) / 1000;

  const vmids = platform.sim.containers().map((c) => c.vmid);
  const stats = (xs: number[]) => {
    if (xs.length === 0) return "(none)";
    const s = [...xs].sort((a, b) => a - b);
    const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!.toFixed(0);
    return `min ${s[0]!.toFixed(0)} ms · p50 ${q(0.5)} ms · p95 ${q(0.95)} ms · max ${s.at(-1)!.toFixed(0)} ms`;
  };
  console.log(`simulator task duration: ${taskDurationMs} ms; nodes: 2; provisioner concurrency: 8`);
  console.log(`POST /api/apps → running, one at a time (n=${sequential}): ${stats(seq)}`);
  console.log(`POST /api/apps → running, burst of ${burst} at once: ${stats(par)}`);
  console.log(
    `burst throughput: ${(burst / burstSeconds).toFixed(2)} deploys/s (${burstSeconds.toFixed(1)} s)`,
  );
  console.log(`containers: ${vmids.length}, distinct VMIDs: ${new Set(vmids).size}`);
} finally {
  await platform.stop();
}
