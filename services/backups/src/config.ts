import { baseServiceEnv, env, loadConfig } from "@proximity/config";
import { z } from "zod";

/** Environment of the backups service. */
export const backupsConfigSchema = z.object({
  ...baseServiceEnv,
  /** PostgreSQL server holding the service's schema. */
  DATABASE_URL: env.postgresUrl(),
  /** The schema this service owns. */
  DB_SCHEMA: env.sqlIdentifier("backups"),
  /** NATS servers (JetStream), for the deployment events consumer. */
  NATS_URL: env.natsServers(),
  /** gRPC listen port (0 picks a free one). */
  GRPC_PORT: env.port(50053),
});

export type BackupsConfig = Readonly<z.output<typeof backupsConfigSchema>>;

/** Reads and validates the environment (call from main, never at import time). */
export function loadBackupsConfig(
  environment: Record<string, string | undefined> = process.env,
): BackupsConfig {
  return loadConfig(backupsConfigSchema, environment);
}
