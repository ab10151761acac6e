/**
 * Secret variables: never a default, and never a value everyone knows. A development value (one
 * shipped in an example, a published default) is accepted only when the service runs with
 * PROXIMITY_MODE=development; loadConfig refuses it otherwise.
 */
import { z } from "zod";

export interface SecretOptions {
  /**
   * Values that are public knowledge (old shipped defaults, documented examples). Compared after
   * `normalize`, so another spelling of the same key (e.g. base64 without padding) is caught too.
   */
  readonly knownDevelopmentValues?: readonly string[];
  /** Canonical form of a value before the comparison (default: the value itself). */
  readonly normalize?: (value: string) => string;
  /** Shortest accepted value, default 1. */
  readonly minLength?: number;
}

interface SecretMeta {
  readonly knownDevelopmentValues: readonly string[];
  readonly normalize: (value: string) => string;
}

const secrets = z.registry<SecretMeta>();

/**
 * A required secret string without a default. Wrap it (`.optional()`) when another variable can
 * stand in for it; the known-value rule still applies.
 * @example
 * SECRETS_KEK: env.secret({ knownDevelopmentValues: ["ZGV2…"] }).optional(),
 */
export function secret(options: SecretOptions = {}): z.ZodString {
  const schema = z.string().min(options.minLength ?? 1, "must not be empty");
  secrets.add(schema, {
    knownDevelopmentValues: options.knownDevelopmentValues ?? [],
    normalize: options.normalize ?? ((v) => v),
  });
  return schema;
}

/** The secret behind optional/default/pipe wrappers of a variable's schema, if it is one. */
function secretMetaOf(schema: z.ZodType): SecretMeta | undefined {
  let current: z.ZodType | undefined = schema;
  for (let depth = 0; current && depth < 8; depth++) {
    const meta = secrets.get(current);
    if (meta) return meta;
    const def = current._zod.def as { innerType?: z.ZodType; in?: z.ZodType };
    current = def.innerType ?? def.in;
  }
  return undefined;
}

/**
 * Problems of a parsed configuration: secrets holding a known development value outside
 * development mode (the mode is production unless the configuration says `development`).
 */
export function knownSecretProblems(
  shape: Readonly<Record<string, z.ZodType>>,
  config: Readonly<Record<string, unknown>>,
): string[] {
  if (config.PROXIMITY_MODE === "development") return [];
  const problems: string[] = [];
  for (const [name, schema] of Object.entries(shape)) {
    const meta = secretMetaOf(schema);
    const value = config[name];
    if (!meta || typeof value !== "string") continue;
    const known = new Set(meta.knownDevelopmentValues.map(meta.normalize));
    if (known.has(meta.normalize(value)))
      problems.push(
        `${name}: is a published development value; set a secret of your own (a development value is accepted only with PROXIMITY_MODE=development)`,
      );
  }
  return problems;
}
