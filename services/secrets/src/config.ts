import { readFileSync } from "node:fs";
import { baseServiceEnv, env, loadConfig } from "@proximity/config";
import { z } from "zod";

/**
 * Keys published with the project: the KEK the compose file once defaulted to (base64 of
 * "dev-only-key-encryption-key-32b"). Whoever holds the database could unwrap every secret.
 */
const KNOWN_DEVELOPMENT_KEKS = ["ZGV2LW9ubHkta2V5LWVuY3J5cHRpb24ta2V5LTMyYg=="];

/** The bytes a base64 text stands for (padding and line breaks do not make another key). */
const base64Bytes = (value: string) => Buffer.from(value, "base64").toString("hex");

/**
 * The id of a key ring's current key when it is a published development KEK, else undefined.
 * Compared as text decoded from base64, before any other check of the ring (a published value
 * need not even be a valid key); a ring that cannot be read is left to the key provider, which
 * names its defect at start. Only the current key counts: an old published key may stay in the
 * ring to unwrap what it wrapped while the data keys are re-wrapped under a new one (the way off it).
 */
function publishedCurrentKey(path: string): string | undefined {
  let ring: { current?: unknown; keys?: Record<string, unknown> };
  try {
    ring = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return undefined;
  }
  const current = typeof ring?.current === "string" ? ring.current : undefined;
  const value =
    current !== undefined && ring.keys && typeof ring.keys === "object" ? ring.keys[current] : undefined;
  if (typeof value !== "string") return undefined;
  return KNOWN_DEVELOPMENT_KEKS.some((kek) => base64Bytes(kek) === base64Bytes(value.trim()))
    ? current
    : undefined;
}

/** Environment of the secrets service. Key material is validated when the service starts. */
export const secretsConfigSchema = z
  .object({
    ...baseServiceEnv,
    /** PostgreSQL server holding the service's schema. */
    DATABASE_URL: env.postgresUrl(),
    /** The schema this service owns. */
    DB_SCHEMA: env.sqlIdentifier("secrets"),
    /** gRPC listen port (0 picks a free one). */
    GRPC_PORT: env.port(50054),
    /**
     * Base64 of a 32-byte key-encryption key, known as key id "k1". A published development key is
     * refused unless PROXIMITY_MODE=development.
     */
    SECRETS_KEK: env
      .secret({ knownDevelopmentValues: KNOWN_DEVELOPMENT_KEKS, normalize: base64Bytes })
      .optional(),
    /**
     * Path of a JSON key ring `{"current": "k2", "keys": {"k1": "<b64>", "k2": "<b64>"}}` (for
     * rotation). A current key that is a published development key is refused unless
     * PROXIMITY_MODE=development.
     */
    SECRETS_KEK_FILE: z.string().min(1).optional(),
    /** How often SECRETS_KEK_FILE is checked for a new key ring (online rotation, no restart). */
    SECRETS_KEK_RELOAD_MS: env.millis(3000),
  })
  .superRefine((c, ctx) => {
    // Never a plaintext fallback: without a key-encryption key the service must not start.
    if (!c.SECRETS_KEK && !c.SECRETS_KEK_FILE)
      ctx.addIssue({
        code: "custom",
        path: ["SECRETS_KEK"],
        message: "required: set SECRETS_KEK (base64 of 32 bytes) or SECRETS_KEK_FILE (JSON key ring)",
      });
    if (c.SECRETS_KEK && c.SECRETS_KEK_FILE)
      ctx.addIssue({
        code: "custom",
        path: ["SECRETS_KEK_FILE"],
        message: "set either SECRETS_KEK or SECRETS_KEK_FILE, not both",
      });
    const published =
      c.SECRETS_KEK_FILE && c.PROXIMITY_MODE !== "development"
        ? publishedCurrentKey(c.SECRETS_KEK_FILE)
        : undefined;
    if (published !== undefined)
      ctx.addIssue({
        code: "custom",
        path: ["SECRETS_KEK_FILE"],
        message: `the current key "${published}" is a published development value; make a key of your own current (a development value is accepted only with PROXIMITY_MODE=development)`,
      });
  });

export type SecretsConfig = Readonly<z.output<typeof secretsConfigSchema>>;

/** Reads and validates the environment (call from main, never at import time). */
export function loadSecretsConfig(
  environment: Record<string, string | undefined> = process.env,
): SecretsConfig {
  return loadConfig(secretsConfigSchema, environment);
}
