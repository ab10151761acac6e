import { baseServiceEnv, env, loadConfig } from "@proximity/config";
import { z } from "zod";

/** Environment of the backups service. */
export const backupsConfigSchema = z.object({
  ...baseServiceEnv,
  /** PostgreSQL server holding the service's schema. */
  DATABASE_URL: env.postgresUrl(),
  /** The schema this service owns. */
  DB_SCHEMA: env.sqlIdentifier("backups"),
  /** NATS servers (JetStream): backup events out, provisioner results and app events in. */
  NATS_URL: env.natsServers(),
  /** gRPC listen port (0 picks a free one). */
  GRPC_PORT: env.port(50053),
  /**
   * host:port of the applications service, which claims an app for a backup or a restore (one
   * operation per app) and creates the app a backup is restored into.
   */
  APPLICATIONS_GRPC_ADDR: z.string().min(1).default("127.0.0.1:50051"),
  /** How often each replica looks for due backup policies and pending scheduled backups. */
  BACKUP_SCHEDULER_INTERVAL_MS: env.millis(30_000),
  /**
   * How long the results' durable of earlier releases keeps being drained after the last result an
   * older provisioner published on it (and after start), before it is deleted (retireDurable).
   */
  RETIRED_DURABLE_QUIET_MS: env.millis(15 * 60_000),
});

export type BackupsConfig = Readonly<z.output<typeof backupsConfigSchema>>;

/** Reads and validates the environment (call from main, never at import time). */
export function loadBackupsConfig(
  environment: Record<string, string | undefined> = process.env,
): BackupsConfig {
  return loadConfig(backupsConfigSchema, environment);
}
