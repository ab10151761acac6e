import { baseServiceEnv, env, loadConfig } from "@proximity/config";
import { z } from "zod";

/**
 * Keys published with the project: the KEK the compose file once defaulted to (base64 of
 * "dev-only-key-encryption-key-32b"). Whoever holds the database could unwrap every secret.
 */
const KNOWN_DEVELOPMENT_KEKS = ["ZGV2LW9ubHkta2V5LWVuY3J5cHRpb24ta2V5LTMyYg=="];

/** The bytes a base64 text stands for (padding and line breaks do not make another key). */
const base64Bytes = (value: string) => Buffer.from(value, "base64").toString("hex");

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
    /** Path of a JSON key ring `{"current": "k2", "keys": {"k1": "<b64>", "k2": "<b64>"}}` (for rotation). */
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
  });

export type SecretsConfig = Readonly<z.output<typeof secretsConfigSchema>>;

/** Reads and validates the environment (call from main, never at import time). */
export function loadSecretsConfig(
  environment: Record<string, string | undefined> = process.env,
): SecretsConfig {
  return loadConfig(secretsConfigSchema, environment);
}
