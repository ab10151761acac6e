import { parse as parseYaml } from "yaml";
import { z } from "zod";

/** One deployable app of the catalog (field names as in the proto `CatalogItem`). */
export interface CatalogItem {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly category: string;
  readonly version: string;
  readonly icon: string;
  /** Port the app listens on inside the container (0 = none published). */
  readonly port: number;
  readonly cores: number;
  readonly memoryMb: number;
  readonly diskGb: number;
  /** docker compose file run inside the container. */
  readonly compose: string;
}

/** A compose file must at least parse as YAML and declare services, or the deployment is doomed. */
const composeFile = z
  .string()
  .min(1)
  .refine((text) => {
    try {
      const doc: unknown = parseYaml(text);
      return typeof doc === "object" && doc !== null && "services" in doc;
    } catch {
      return false;
    }
  }, "must be a docker compose file (YAML with a top-level `services` key)");

/** Catalog files are written by people: snake_case keys, as in the API. */
export const catalogItemSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "must be a lower-case slug (a-z, 0-9, '-')"),
    name: z.string().min(1).max(100),
    description: z.string().min(1).max(1000),
    category: z.string().min(1).max(50),
    version: z.string().min(1).max(50),
    icon: z.string().max(500).default(""),
    port: z.number().int().min(0).max(65535),
    cores: z.number().int().min(1).max(64),
    memory_mb: z.number().int().min(64).max(262144),
    disk_gb: z.number().int().min(1).max(4096),
    compose: composeFile,
  })
  .strict()
  .transform(
    ({ memory_mb, disk_gb, ...rest }): CatalogItem => ({ ...rest, memoryMb: memory_mb, diskGb: disk_gb }),
  );
