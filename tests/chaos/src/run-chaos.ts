/**
 * One chaos run: the platform as separate processes with `replicas` provisioner replicas, the
 * simulator failing `faultRate` of the Proxmox calls (API errors, resets and hangs; SSH failures,
 * resets and hangs), `deploys` app scripts with life-cycle actions spread over `users` users and the
 * simulator's two nodes, and a provisioner replica killed -9 every `killEveryMs` and started again.
 * Then the faults are cleared, the killing stops, and the run waits (at most `settleMs`) until
 * nothing is in flight before auditing what is left.
 */
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { startPlatformProcesses } from "../../bench/src/platform-processes.js";
import { percentiles } from "../../bench/src/report.js";
import { GatewayClient } from "../../e2e/src/index.js";
import { type Audit, audit, busy, busyTotal, containerMismatch } from "./audit.js";
import { clearFaults, injectFaults } from "./faults.js";
import { type KillerStats, startKiller } from "./killer.js";
import { newTally, runWorkload, type WorkloadTally } from "./workload.js";

export interface ChaosOptions {
  readonly deploys: number;
  readonly users: number;
  readonly concurrency: number;
  readonly replicas: number;
  /** Share (0..1) of Proxmox API calls and of SSH commands that fail or hang. */
  readonly faultRate: number;
  /** Pause between a replica's restart and the next kill. */
  readonly killEveryMs: number;
  /** Stop killing after this many kills (default: until the workload ends). */
  readonly maxKills?: number;
  /** Longest wait for everything to settle after the faults are cleared. */
  readonly settleMs: number;
  /** Longest wait of a script for its app between two actions. */
  readonly actionWaitMs: number;
  readonly compiled?: boolean;
  /** Keep the scratch directory (logs) and write the journals to `<stateDir>/journal.json`. */
  readonly keepState?: boolean;
  /** The services' LOG_LEVEL (default warn). */
  readonly logLevel?: string;
  /** Progress lines (default: none). */
  readonly log?: (line: string) => void;
}

export interface ChaosResult {
  readonly audit: Audit;
  readonly workload: Omit<WorkloadTally, "appIds"> & { apps: number };
  readonly killer: KillerStats;
  readonly faultHits: Record<string, number>;
  /** Workload start → its last script done (ms). */
  readonly workloadMs: number;
  /** Faults cleared → nothing in flight (or the bound reached) (ms). */
  readonly settleMs: number;
  readonly settled: boolean;
  readonly deployP50Ms: number;
  readonly deployP95Ms: number;
  readonly restartP50Ms: number;
  /** Apps per simulator node (placement spread). */
  readonly appsPerNode: Record<string, number>;
  readonly runtime: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runChaos(o: ChaosOptions): Promise<ChaosResult> {
  const log = o.log ?? (() => undefined);
  const platform = await startPlatformProcesses({
    nodes: ["pve1", "pve2"],
    ...(o.compiled !== undefined ? { compiled: o.compiled } : {}),
    ...(o.keepState ? { keepState: true } : {}),
    ...(o.logLevel ? { logLevel: o.logLevel } : {}),
    simulatorEnv: { SIM_TASK_MS: "20", SIM_COMMAND_MS: "0" },
    replicas: { provisioner: o.replicas },
    serviceEnv: {
      "api-gateway": { RATE_LIMIT_PER_MINUTE: "100000000", RATE_LIMIT_PER_USER_PER_MINUTE: "100000000" },
      applications: { APP_QUOTA_DEFAULT: "10000" },
      provisioner: {
        // Client deadlines short enough that every injected hang ends within seconds (the
        // simulator's commands take no time), and retries that do not wait a minute.
        SSH_CONNECT_TIMEOUT_MS: "5000",
        SSH_COMMAND_TIMEOUT_MS: "5000",
        SSH_LONG_COMMAND_TIMEOUT_MS: "10000",
        TASK_TIMEOUT_MS: "60000",
        TASK_POLL_INTERVAL_MS: "50",
        PROVISIONER_BACKOFF_BASE_MS: "500",
        PROVISIONER_BACKOFF_MAX_MS: "5000",
        PROVISIONER_BREAKER_RESET_MS: "2000",
        PROVISIONER_NODE_CONCURRENCY: "16",
        PROVISIONER_HOST_CONCURRENCY: "32",
        // A killed replica's claims and slots are taken over after this long.
        OPERATION_CLAIM_TTL_MS: "10000",
        PROVISIONER_SLOT_TTL_MS: "10000",
        // Half-built containers whose removal failed are retried this often (after the faults end).
        ORPHAN_RECONCILE_INTERVAL_MS: "5000",
      },
    },
  });
  const db = new pg.Pool({ connectionString: platform.databaseUrl, max: 6 });
  try {
    log(`platform started (${platform.runtime}), ${o.replicas} provisioner replicas`);
    const admin = new GatewayClient(platform.url);
    await admin.login(platform.adminUsername, platform.adminPassword);
    const users = [];
    for (let u = 0; u < o.users; u++) {
      const username = `chaos${u}`;
      const password = randomBytes(12).toString("base64url");
      const res = await admin.post("/api/users", { username, password, is_admin: false });
      if (res.status !== 201)
        throw new Error(`creating ${username}: ${res.status} ${JSON.stringify(res.body)}`);
      const client = new GatewayClient(platform.url);
      await client.login(username, password);
      users.push(client);
    }
    await hostReachable(db);

    const faults = await injectFaults(platform.simulatorAdminUrl, o.faultRate);
    log(`${faults} faults injected (${Math.round(o.faultRate * 100)} % of API calls and SSH commands)`);
    const killer = startKiller(platform, {
      replicas: o.replicas,
      everyMs: o.killEveryMs,
      ...(o.maxKills !== undefined ? { maxKills: o.maxKills } : {}),
    });
    const tally = newTally();
    const workloadStart = Date.now();
    const progress = setInterval(() => {
      const accepted = Object.entries(tally.accepted)
        .map(([k, v]) => `${v} ${k}`)
        .join(", ");
      log(`  ${Math.round((Date.now() - workloadStart) / 1000)} s: accepted ${accepted}`);
    }, 30_000);
    try {
      await runWorkload(
        {
          deploys: o.deploys,
          concurrency: o.concurrency,
          users,
          db,
          settleWaitMs: o.actionWaitMs,
          prefix: `c${randomBytes(2).toString("hex")}`,
        },
        tally,
      );
    } finally {
      clearInterval(progress);
    }
    const workloadMs = Date.now() - workloadStart;
    const killerStats = await killer.stop();
    const faultHits = await clearFaults(platform.simulatorAdminUrl);
    log(
      `workload done in ${(workloadMs / 1000).toFixed(0)} s, ${killerStats.kills} kills; faults cleared, settling`,
    );

    const settleStart = Date.now();
    let settled = false;
    // Settled: nothing in flight, and the orphan reconciler has removed the half-built containers
    // whose removal failed under the faults.
    while (Date.now() - settleStart < o.settleMs) {
      const containers = await containerMismatch(db, platform.simulatorAdminUrl);
      if (busyTotal(await busy(db)) === 0 && containers.orphans + containers.missing === 0) {
        settled = true;
        break;
      }
      await sleep(1000);
    }
    const settleMs = Date.now() - settleStart;
    const result = await audit(db, {
      simulatorAdminUrl: platform.simulatorAdminUrl,
      natsUrl: platform.natsUrl,
      stateDir: platform.stateDir,
      busNamespace: platform.busNamespace,
    });
    if (o.keepState) await dumpJournal(db, platform.stateDir);
    const perNode = await db.query<{ node: string; n: string }>(
      "select node, count(*) as n from applications.apps group by 1",
    );
    const deploy = percentiles(tally.deployMs);
    const { appIds, ...workload } = tally;
    return {
      audit: result,
      workload: { ...workload, apps: appIds.size },
      killer: killerStats,
      faultHits,
      workloadMs,
      settleMs,
      settled,
      deployP50Ms: deploy.p50,
      deployP95Ms: deploy.p95,
      restartP50Ms: percentiles(killerStats.restartMs).p50,
      appsPerNode: Object.fromEntries(perNode.rows.map((r) => [r.node, Number(r.n)])),
      runtime: platform.runtime,
    };
  } finally {
    await db.end().catch(() => undefined);
    await platform.stop();
  }
}

/** The bootstrap host is checked right after registration: deploys are placed only once it answered. */
async function hostReachable(db: pg.Pool): Promise<void> {
  const end = Date.now() + 60_000;
  for (;;) {
    const { rows } = await db.query<{ status: string }>("select status from hosts.hosts");
    if (rows.length > 0 && rows.every((r) => r.status === "reachable")) return;
    if (Date.now() > end) throw new Error(`the simulator host is not reachable: ${JSON.stringify(rows)}`);
    await sleep(250);
  }
}

/** The operation journals of both services, for a post-mortem of a kept run. */
async function dumpJournal(db: pg.Pool, stateDir: string): Promise<void> {
  const q = async (sql: string) => (await db.query(sql)).rows;
  const journal = {
    apps: await q("select id, status, status_message, vmid, node, current_operation from applications.apps"),
    appOperations: await q("select * from applications.app_operations order by created_at"),
    operations: await q("select * from provisioner.operations order by created_at"),
    steps: await q("select * from provisioner.operation_steps order by updated_at"),
  };
  writeFileSync(join(stateDir, "journal.json"), JSON.stringify(journal, null, 1));
}
