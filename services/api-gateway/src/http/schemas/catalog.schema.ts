import type { applicationsV1 } from "@proximity/proto";
import { z } from "zod";

export const catalogQuery = z.object({
  search: z.string().max(200).optional(),
  category: z.string().max(100).optional(),
});

/** A variable the app reads; the deploy form offers it (`environment` of POST /api/apps). */
export const catalogEnvVarJson = z.object({
  name: z.string(),
  description: z.string(),
  /** Used when the deploy gives no value; null = none (secrets never have one). */
  default: z.string().nullable(),
  /** A deploy without a value (and without a default) is refused. */
  required: z.boolean(),
  /** Passwords and keys: kept in the secrets service, never shown back (only set/unset). */
  secret: z.boolean(),
});

export const catalogItemJson = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  category: z.string(),
  version: z.string(),
  icon: z.string(),
  website: z.string().nullable(),
  port: z.number().int().nullable(),
  cores: z.number().int(),
  memory_mb: z.number().int(),
  disk_gb: z.number().int(),
  environment: z.array(catalogEnvVarJson),
});

/** The detail view adds the compose file run inside the container. */
export const catalogItemDetailJson = catalogItemJson.extend({ compose: z.string() });

export function toCatalogItemJson(item: applicationsV1.CatalogItem): z.infer<typeof catalogItemDetailJson> {
  return {
    id: item.id,
    name: item.name,
    description: item.description,
    category: item.category,
    version: item.version,
    icon: item.icon,
    website: item.website || null,
    port: item.port || null,
    cores: item.cores,
    memory_mb: item.memoryMb,
    disk_gb: item.diskGb,
    environment: item.environment.map((v) => ({
      name: v.name,
      description: v.description,
      default: v.defaultValue || null,
      required: v.required,
      secret: v.secret,
    })),
    compose: item.compose,
  };
}
