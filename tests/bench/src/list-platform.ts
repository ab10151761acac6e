/**
 * The platform the list benchmark measures: services as separate processes, as in production
 * (platform-processes.ts); with BENCH_IN_PROCESS=1 all in this process (startPlatform, quicker to
 * profile), where the CPU of every service is one figure.
 */
import { startPlatform } from "../../e2e/src/index.js";
import { startPlatformProcesses } from "./platform-processes.js";
import { profileEnv } from "./profile.js";

export interface ListPlatform {
  readonly url: string;
  readonly adminUsername: string;
  readonly adminPassword: string;
  readonly databaseUrl: string;
  readonly mode: "processes" | "in-process";
  readonly cpuNote: string;
  /** The processes to measure CPU of, by service. */
  processes(): { name: string; pid: number }[];
  stop(): Promise<void>;
}

const databaseUrl = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const natsUrl = process.env.TEST_NATS_URL ?? "nats://127.0.0.1:4222";
// The benchmark is many clients behind one address: lift the per-address and per-user budgets.
const gatewayEnv = { RATE_LIMIT_PER_MINUTE: "100000000", RATE_LIMIT_PER_USER_PER_MINUTE: "100000000" };

export async function startListPlatform(): Promise<ListPlatform> {
  if (process.env.BENCH_IN_PROCESS !== "1") {
    // BENCH_RUNTIME=tsx|compiled forces one (default: compiled when built, else tsx).
    const runtime = process.env.BENCH_RUNTIME;
    const p = await startPlatformProcesses({
      // BENCH_PROFILE=<dir>: both services write a CPU profile when they stop.
      serviceEnv: {
        "api-gateway": { ...gatewayEnv, ...profileEnv("api-gateway") },
        applications: profileEnv("applications"),
      },
      ...(runtime ? { compiled: runtime === "compiled" } : {}),
    });
    const measured = ["api-gateway", "applications"];
    return {
      url: p.url,
      adminUsername: p.adminUsername,
      adminPassword: p.adminPassword,
      databaseUrl: p.databaseUrl,
      mode: "processes",
      cpuNote: `own process, ${p.runtime}`,
      processes: () =>
        p
          .processes()
          .filter((x) => measured.includes(x.service))
          .map((x) => ({ name: x.replica > 1 ? `${x.service}#${x.replica}` : x.service, pid: x.pid })),
      stop: () => p.stop(),
    };
  }
  const p = await startPlatform({ databaseUrl, natsUrl, gatewayEnv });
  return {
    url: p.url,
    adminUsername: p.adminUsername,
    adminPassword: p.adminPassword,
    databaseUrl: p.databaseUrl,
    mode: "in-process",
    cpuNote: "every service in one process",
    processes: () => [{ name: "platform (in-process)", pid: process.pid }],
    stop: () => p.stop(),
  };
}
