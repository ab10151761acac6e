import { environmentProblems } from "@proximity/app-env";
import { applicationsV1 } from "@proximity/proto";
import { z } from "zod";
import { hostnameProblem } from "../../domain/hostname.js";
import { required } from "../request-helpers.js";
import { emptyToNull, isoOrNull, pageQuery } from "./common.schema.js";

export const APP_STATUSES = [
  "deploying",
  "running",
  "stopped",
  "starting",
  "stopping",
  "restarting",
  "updating",
  "cloning",
  "adopting",
  "removing",
  "restoring",
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
  [applicationsV1.AppStatus.APP_STATUS_ADOPTING]: "adopting",
  [applicationsV1.AppStatus.APP_STATUS_RESTARTING]: "restarting",
  [applicationsV1.AppStatus.APP_STATUS_RESTORING]: "restoring",
};

/** The API name of a proto status; an unknown value means a newer service: "error" is the honest closest state. */
export function statusNameOf(status: applicationsV1.AppStatus): AppStatusName {
  return STATUS_NAME[status] ?? "error";
}

export const listAppsQuery = pageQuery
  .extend({
    status: z.enum(APP_STATUSES).optional(),
    search: z.string().max(200).optional(),
    /** The `next_cursor` of the previous page (keyset paging; docs/api-pagination.md). */
    cursor: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[A-Za-z0-9_-]+$/, "is not a cursor of this list")
      .optional(),
  })
  .refine((q) => q.cursor === undefined || q.page === 1, {
    path: ["cursor"],
    message: "cannot be combined with page",
    // A cursor or page already refused is not also said to clash (each problem once).
    when: (payload) => fieldsParsed(payload, ["cursor", "page"]),
  });

/** For a refinement across fields: true when none of `fields` has an issue of its own. */
function fieldsParsed(payload: z.core.ParsePayload, fields: readonly string[]): boolean {
  return !payload.issues.some((issue) => fields.includes(String(issue.path?.[0])));
}

/**
 * An app's host name (the container's and the app's name): RFC 1123, lower case (@proximity/rules,
 * the applications service's rule too, so nothing is let through that fails deeper).
 */
export const hostnameField = z.string().superRefine((name, ctx) => {
  const problem = hostnameProblem(name);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

/** Unknown fields are refused (400 naming them): a misspelt option must not be dropped silently. */
export const deployAppBody = z
  .object({
    catalog_id: z.string().min(1).max(100),
    hostname: hostnameField,
    node: z.string().min(1).max(63).optional(),
    host_id: z.uuid().optional(),
    /** Names and values follow the rules shared with the applications service and the provisioner. */
    environment: z.record(z.string(), z.string()).optional(),
    // No service takes per-app configuration yet: refuse it instead of silently dropping it.
    config: z
      .record(z.string(), z.unknown())
      .refine((config) => Object.keys(config).length === 0, "is not supported yet")
      .optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    // The field of each problem is already "environment.<NAME>": one path segment keeps it whole.
    for (const problem of environmentProblems(body.environment ?? {})) {
      ctx.addIssue({ code: "custom", path: [problem.field], message: problem.message });
    }
  });

export const deployAppHeaders = z.looseObject({
  "idempotency-key": z
    .string()
    .regex(/^[\x21-\x7e]{1,128}$/, "must be 1 to 128 printable ASCII characters")
    .optional(),
});

const logId = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

/**
 * Paging of the logs: `after_id` reads forward (oldest first from the start when absent),
 * `before_id` reads back from the newest. Both together bound a window.
 */
export const logsQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    after_id: logId.optional(),
    before_id: logId.optional(),
  })
  .refine((q) => q.after_id === undefined || q.before_id === undefined || q.after_id < q.before_id, {
    path: ["before_id"],
    message: "must be greater than after_id",
    when: (payload) => fieldsParsed(payload, ["after_id", "before_id"]),
  });

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
  /** null for an adopted container of no known catalog type. */
  catalog_id: z.string().nullable(),
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
  /** http://<ip>:<port> once the app is reachable. */
  access_url: z.string().nullable(),
  /** Secret variables by name: whether a value is set (values are never returned). */
  secrets: z.record(z.string(), z.enum(["set", "unset"])),
  /** Taken over from an existing container rather than deployed by Proximity. */
  adopted: z.boolean(),
  /** What needs the owner's attention (e.g. found stopped outside Proximity), else null. */
  attention: z.string().nullable(),
  /** The operation in flight (deploy, start, stop, restart, update, delete, clone, adopt, backup, restore), else null. */
  current_operation: z.string().nullable(),
  uptime_seconds: z.number().int().nullable(),
});

/** The app of an answer from the applications service, which always sets it (its absence is a 500). */
export function answeredAppJson(app: applicationsV1.App | undefined): z.infer<typeof appJson> {
  return toAppJson(required(app, "an app"));
}

export function toAppJson(app: applicationsV1.App): z.infer<typeof appJson> {
  const m = app.metrics;
  return {
    id: app.id,
    owner_id: app.ownerId,
    catalog_id: emptyToNull(app.catalogId),
    hostname: app.hostname,
    status: statusNameOf(app.status),
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
    access_url: emptyToNull(app.accessUrl),
    secrets: Object.fromEntries(
      Object.entries(app.secrets).map(([name, isSet]) => [name, isSet ? "set" : "unset"] as const),
    ),
    adopted: app.adopted,
    attention: emptyToNull(app.attention),
    current_operation: emptyToNull(app.currentOperation),
    uptime_seconds: app.uptimeSeconds || null,
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
