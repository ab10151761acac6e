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
  /**
   * Longest the hosts service's answer to "where does a new container go" is shared by this
   * replica's placements (app/shared-placements.ts); at most 10 s, 0 = every placement asks.
   */
  PLACEMENT_MAX_AGE_MS: z.coerce.number().int().min(0).max(10_000).default(1_000),
  /** Directory of catalog files (*.yaml, *.yml, *.json; one item each). */
  CATALOG_DIR: z.string().min(1).default(SHIPPED_CATALOG_DIR),
  /** host:port of the secrets service, where secret environment values of apps are put. */
  SECRETS_GRPC_ADDR: z.string().min(1).default("127.0.0.1:50054"),
  /** host:port of the provisioner, asked which containers a host has (discovery). */
  PROVISIONER_GRPC_ADDR: z.string().min(1).default("127.0.0.1:50055"),
  /** Published ports handed to apps, "<first>-<last>" inclusive; unique per host. */
  APP_PORT_RANGE: portRange("30000-32767"),
  /** Live apps a user may own unless an administrator set another number for them. */
  APP_QUOTA_DEFAULT: z.coerce.number().int().min(0).default(25),
  /** Deadline of deploy operations, after which the reaper fails them. */
  OPERATION_DEADLINE_DEPLOY_MS: env.millis(30 * 60_000),
  /** Deadline of update operations (snapshot, pull, recreate, health check). */
  OPERATION_DEADLINE_UPDATE_MS: env.millis(30 * 60_000),
  /** Deadline of clone operations (a full copy of the container's disk). */
  OPERATION_DEADLINE_CLONE_MS: env.millis(30 * 60_000),
  /** Deadline of every other operation (start, stop, restart, delete, adopt). */
  OPERATION_DEADLINE_DEFAULT_MS: env.millis(10 * 60_000),
  /** Deadline of backups (vzdump of the app's container; large disks take hours). */
  APP_BACKUP_DEADLINE_MS: env.millis(6 * 3_600_000),
  /** Deadline of restores (a backup written back onto the app's container or into a new app). */
  APP_RESTORE_DEADLINE_MS: env.millis(6 * 3_600_000),
  /** How often the reaper looks for operations past their deadline. */
  OPERATION_REAPER_INTERVAL_MS: env.millis(15_000),
  /** Metrics observed longer ago than this read as unknown (the host stopped answering). */
  METRICS_STALE_AFTER_MS: env.millis(2 * 60_000),
});

/** "30000-32767" → { first, last }, refusing reversed or out-of-range bounds. */
function portRange(fallback: string) {
  return z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const match = /^(\d{1,5})-(\d{1,5})$/.exec(value.trim());
      const first = Number(match?.[1]);
      const last = Number(match?.[2]);
      if (!match || first < 1 || last > 65535 || first > last) {
        ctx.addIssue({
          code: "custom",
          message: 'must be "<first>-<last>" with 1 <= first <= last <= 65535',
        });
        return z.NEVER;
      }
      return { first, last };
    });
}

export type ApplicationsConfig = Readonly<z.output<typeof applicationsConfigSchema>>;

/** Parses the environment; throws ConfigError naming every bad variable. */
export function loadApplicationsConfig(
  environment: Record<string, string | undefined> = process.env,
): ApplicationsConfig {
  return loadConfig(applicationsConfigSchema, environment);
}
