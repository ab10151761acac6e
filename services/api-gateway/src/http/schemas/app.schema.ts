import { applicationsV1 } from "@proximity/proto";
import { z } from "zod";
import { isValidHostname } from "../../domain/hostname.js";
import { emptyToNull, isoOrNull, pageQuery } from "./common.schema.js";

export const APP_STATUSES = [
  "deploying",
  "running",
  "stopped",
  "starting",
  "stopping",
  "updating",
  "cloning",
  "removing",
  "error",
] as const;
export type AppStatusName = (typeof APP_STATUSES)[number];

const STATUS_NAME: Partial<Record<applicationsV1.AppStatus, AppStatusName>> = {
  [applicationsV1.AppStatus.APP_STATUS_DEPLOYING]: "deploying",
  [applicationsV1.AppStatus.APP_STATUS_RUNNING]: "running",
  [applicationsV1.AppStatus.APP_STATUS_STOPPED]: "stopped",
  [applicationsV1.AppStatus.APP_STATUS_STARTING]: "starting",
  [applicationsV1.AppStatus.APP_STATUS_STOPPING]: "stopping",
  [applicationsV1.AppStatus.APP_STATUS_UPDATING]: "updating",
  [applicationsV1.AppStatus.APP_STATUS_CLONING]: "cloning",
  [applicationsV1.AppStatus.APP_STATUS_REMOVING]: "removing",
  [applicationsV1.AppStatus.APP_STATUS_ERROR]: "error",
};

export const listAppsQuery = pageQuery.extend({
  status: z.enum(APP_STATUSES).optional(),
  search: z.string().max(200).optional(),
});

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

export const deployAppBody = z.object({
  catalog_id: z.string().min(1).max(100),
  hostname: z.string().refine(isValidHostname, "must be a valid RFC 1123 host name"),
  node: z.string().min(1).max(63).optional(),
  host_id: z.uuid().optional(),
  environment: z
    .record(z.string().regex(ENV_NAME, "variable names are letters, digits and '_'"), z.string().max(8192))
    .refine((env) => Object.keys(env).length <= 100, "at most 100 variables")
    .optional(),
  // No service takes per-app configuration yet: refuse it instead of silently dropping it.
  config: z
    .record(z.string(), z.unknown())
    .refine((config) => Object.keys(config).length === 0, "is not supported yet")
    .optional(),
});

export const deployAppHeaders = z.looseObject({
  "idempotency-key": z
    .string()
    .regex(/^[\x21-\x7e]{1,128}$/, "must be 1 to 128 printable ASCII characters")
    .optional(),
});

export const logsQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) });

const metricsJson = z.object({
  cpu: z.number(),
  mem_bytes: z.number(),
  max_mem_bytes: z.number(),
  disk_bytes: z.number(),
  max_disk_bytes: z.number(),
  sampled_at: z.string().nullable(),
});

export const appJson = z.object({
  id: z.string(),
  owner_id: z.string(),
  catalog_id: z.string(),
  hostname: z.string(),
  status: z.enum(APP_STATUSES),
  status_message: z.string().nullable(),
  host_id: z.string().nullable(),
  node: z.string().nullable(),
  vmid: z.number().int().nullable(),
  port: z.number().int().nullable(),
  ip_address: z.string().nullable(),
  environment: z.record(z.string(), z.string()),
  created_at: z.string().nullable(),
  updated_at: z.string().nullable(),
  metrics: metricsJson.nullable(),
});

export function toAppJson(app: applicationsV1.App): z.infer<typeof appJson> {
  const m = app.metrics;
  return {
    id: app.id,
    owner_id: app.ownerId,
    catalog_id: app.catalogId,
    hostname: app.hostname,
    // An unknown enum value means a newer service: "error" is the honest closest state.
    status: STATUS_NAME[app.status] ?? "error",
    status_message: emptyToNull(app.statusMessage),
    host_id: emptyToNull(app.hostId),
    node: emptyToNull(app.node),
    vmid: app.vmid || null,
    port: app.port || null,
    ip_address: emptyToNull(app.ipAddress),
    environment: app.environment,
    created_at: isoOrNull(app.createdAt),
    updated_at: isoOrNull(app.updatedAt),
    metrics: m
      ? {
          cpu: m.cpu,
          mem_bytes: m.memBytes,
          max_mem_bytes: m.maxMemBytes,
          disk_bytes: m.diskBytes,
          max_disk_bytes: m.maxDiskBytes,
          sampled_at: isoOrNull(m.sampledAt),
        }
      : null,
  };
}

export const appLogJson = z.object({
  id: z.number().int(),
  level: z.string(),
  step: z.string(),
  message: z.string(),
  created_at: z.string().nullable(),
});

export function toAppLogJson(log: applicationsV1.DeploymentLog): z.infer<typeof appLogJson> {
  return {
    id: log.id,
    level: log.level,
    step: log.step,
    message: log.message,
    created_at: isoOrNull(log.createdAt),
  };
}
