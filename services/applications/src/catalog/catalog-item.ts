import { ENV_LIMITS, type EnvVarDefinition, envNameProblem } from "@proximity/app-env";
import { z } from "zod";

/** One deployable app of the catalog (field names as in the proto `CatalogItem`). */
export interface CatalogItem {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly category: string;
  readonly version: string;
  readonly icon: string;
  /** The app's home page ("" = none). */
  readonly website: string;
  /** Port the app listens on inside the container (0 = none published). */
  readonly port: number;
  readonly cores: number;
  readonly memoryMb: number;
  readonly diskGb: number;
  /** docker compose file run inside the container. */
  readonly compose: string;
  /** Variables the user may (or must) set at deploy; the compose file references them. */
  readonly environment: readonly EnvVarDefinition[];
}

const envName = z.string().superRefine((name, ctx) => {
  const problem = envNameProblem(name);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

/** YAML turns `default: 8080` into a number: any scalar is taken as its text. */
const scalarText = z.union([z.string(), z.number(), z.boolean()]).transform(String);

const webUrl = z.union([z.literal(""), z.url({ protocol: /^https?$/ }).max(500)]);

const envVarSchema = z.strictObject({
  name: envName,
  description: z.string().min(1).max(500),
  default: scalarText.default(""),
  required: z.boolean().default(false),
  secret: z.boolean().default(false),
});

/**
 * The shape of a catalog file (people write them: snake_case keys, as in the API). Rules that
 * relate fields to each other (compose ↔ environment ↔ port) are in catalog-rules.ts.
 */
export const catalogFileSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "must be a lower-case slug (a-z, 0-9, '-')"),
  name: z.string().min(1).max(100),
  description: z.string().min(1).max(1000),
  category: z.string().min(1).max(50),
  version: z.string().min(1).max(50),
  // Both end up as links and image sources in the UI: web URLs only.
  icon: webUrl.default(""),
  website: webUrl.default(""),
  port: z.number().int().min(0).max(65535),
  cores: z.number().int().min(1).max(64),
  memory_mb: z.number().int().min(64).max(262144),
  disk_gb: z.number().int().min(1).max(4096),
  compose: z.string().min(1).max(65536),
  environment: z.array(envVarSchema).max(ENV_LIMITS.maxEntries).default([]),
});

export type CatalogFile = z.output<typeof catalogFileSchema>;

/**
 * The fields the cross-field rules need, read leniently: a file with a shape problem elsewhere
 * (a typo, a too small memory_mb) still gets its compose and environment checked, so one load
 * lists every problem of the file.
 */
export const catalogRulesInputSchema = z.object({
  port: z.number(),
  compose: z.string(),
  environment: z
    .array(
      z.object({
        name: z.string(),
        default: scalarText.catch(""),
        secret: z.boolean().catch(false),
      }),
    )
    .catch([]),
});

/** The domain item of a validated file. */
export function toCatalogItem(file: CatalogFile): CatalogItem {
  const { memory_mb, disk_gb, environment, ...rest } = file;
  return {
    ...rest,
    memoryMb: memory_mb,
    diskGb: disk_gb,
    environment: environment.map((v) => ({
      name: v.name,
      description: v.description,
      defaultValue: v.default,
      required: v.required,
      secret: v.secret,
    })),
  };
}
