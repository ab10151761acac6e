import { baseServiceEnv, env, loadConfig } from "@proximity/config";
import { z } from "zod";

/** Environment of the hosts service. */
export const hostsConfigSchema = z.object({
  ...baseServiceEnv,
  /** PostgreSQL server holding the service's schema. */
  DATABASE_URL: env.postgresUrl(),
  /** The schema this service owns. */
  DB_SCHEMA: env.sqlIdentifier("hosts"),
  /** NATS servers (JetStream), for the outbox relay. */
  NATS_URL: env.natsServers(),
  /** gRPC listen port (0 picks a free one). */
  GRPC_PORT: env.port(50052),
  /** The secrets service, where host credentials are written. */
  SECRETS_GRPC_ADDR: z.string().min(1).default("127.0.0.1:50054"),
  /** The applications service, asked whether a host still has apps before it is deleted. */
  APPLICATIONS_GRPC_ADDR: z.string().min(1).default("127.0.0.1:50051"),
  /**
   * How often every host is checked by the provisioner (connection, version, node stats); 0 turns
   * the periodic check off (on-demand checks still work).
   */
  HOST_CHECK_INTERVAL_MS: z.coerce.number().int().min(0).default(60_000),
  /**
   * A host found unreachable is checked again this soon rather than a whole interval later: deploys
   * are refused while it is flagged, and one bad check (three failed tries on a flaky network) must
   * not refuse them for a minute. 0: wait for the next periodic check.
   */
  HOST_RECHECK_UNREACHABLE_MS: z.coerce.number().int().min(0).default(10_000),
  /**
   * Optional host registered at start if none has its name (dev script, simulator): a
   * CreateHostRequest in proto3 JSON form, credentials included. Contains secrets: never logged.
   */
  BOOTSTRAP_HOST_JSON: z
    .string()
    .optional()
    .transform((text, ctx): unknown => {
      if (!text) return undefined;
      try {
        return JSON.parse(text);
      } catch {
        ctx.addIssue({
          code: "custom",
          message: "must be a JSON object (a CreateHostRequest in proto3 JSON form)",
        });
        return z.NEVER;
      }
    }),
});

export type HostsConfig = Readonly<z.output<typeof hostsConfigSchema>>;

/** Reads and validates the environment (call from main, never at import time). */
export function loadHostsConfig(environment: Record<string, string | undefined> = process.env): HostsConfig {
  return loadConfig(hostsConfigSchema, environment);
}
