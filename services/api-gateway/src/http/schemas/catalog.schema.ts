import type { applicationsV1 } from "@proximity/proto";
import { z } from "zod";

export const catalogQuery = z.object({
  search: z.string().max(200).optional(),
  category: z.string().max(100).optional(),
});

export const catalogItemJson = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  category: z.string(),
  version: z.string(),
  icon: z.string(),
  port: z.number().int().nullable(),
  cores: z.number().int(),
  memory_mb: z.number().int(),
  disk_gb: z.number().int(),
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
    port: item.port || null,
    cores: item.cores,
    memory_mb: item.memoryMb,
    disk_gb: item.diskGb,
    compose: item.compose,
  };
}
