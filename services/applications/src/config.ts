import { fileURLToPath } from "node:url";
import { baseServiceEnv, env, loadConfig } from "@proximity/config";
import { z } from "zod";

/** The catalog shipped with the service (`services/applications/catalog`). */
const SHIPPED_CATALOG_DIR = fileURLToPath(new URL("../catalog", import.meta.url));

export const applicationsConfigSchema = z.object({
  ...baseServiceEnv,
  /** PostgreSQL holding the service's schema. */
  DATABASE_URL: env.postgresUrl(),
  /** The schema this service owns (no other service reads it). */
  DB_SCHEMA: env.sqlIdentifier("applications"),
  /** NATS servers (JetStream enabled), comma separated. */
  NATS_URL: env.natsServers(),
  /** Port of this service's gRPC server (0 picks a free one). */
  GRPC_PORT: env.port(50051),
  /** host:port of the hosts service, asked where new containers go. */
  HOSTS_GRPC_ADDR: z.string().min(1).default("127.0.0.1:50052"),
  /** Directory of catalog files (*.yaml, *.yml, *.json; one item each). */
  CATALOG_DIR: z.string().min(1).default(SHIPPED_CATALOG_DIR),
});

export type ApplicationsConfig = Readonly<z.output<typeof applicationsConfigSchema>>;

/** Parses the environment; throws ConfigError naming every bad variable. */
export function loadApplicationsConfig(
  environment: Record<string, string | undefined> = process.env,
): ApplicationsConfig {
  return loadConfig(applicationsConfigSchema, environment);
}
