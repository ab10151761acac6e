import type { FieldError } from "@proximity/errors";
import { envField, environmentProblems } from "./environment-problems.js";
import { ENV_LIMITS } from "./limits.js";

/** A variable an app of the catalog declares (proto `CatalogEnvVar`). */
export interface EnvVarDefinition {
  readonly name: string;
  readonly description: string;
  /** Used when the user gives no value; "" = none. Secrets never have one. */
  readonly defaultValue: string;
  /** A deployment without a value (given or default) is refused. */
  readonly required: boolean;
  /** Passwords and keys: kept in the secrets service, never stored with the app nor shown back. */
  readonly secret: boolean;
}

export interface ResolvedEnvironment {
  /** Values stored with the app and shown back to its owner. */
  readonly plain: Record<string, string>;
  /** Values of secret-flagged variables: to the secrets service only. */
  readonly secret: Record<string, string>;
  /** Empty when the environment can be deployed. */
  readonly problems: FieldError[];
}

/**
 * The environment a deployment runs with: the user's values checked (environmentProblems), declared
 * defaults applied where the user gave no value (an empty string counts as none), required variables
 * enforced, and secret-flagged variables split into `secret` so they never reach `plain`. Variables
 * the catalog does not declare are allowed as plain values (unless their name is refused).
 * @example
 * resolveEnvironment([{ name: "TZ", defaultValue: "UTC", required: false, secret: false, description: "" }], {})
 * // → { plain: { TZ: "UTC" }, secret: {}, problems: [] }
 */
export function resolveEnvironment(
  defs: readonly EnvVarDefinition[],
  given: Readonly<Record<string, string>>,
): ResolvedEnvironment {
  const problems = environmentProblems(given);
  const plain: Record<string, string> = {};
  const secret: Record<string, string> = {};
  const declared = new Map(defs.map((def) => [def.name, def]));

  for (const [name, value] of Object.entries(given)) {
    if (declared.has(name) || typeof value !== "string") continue;
    plain[name] = value;
  }
  for (const def of defs) {
    const givenValue = Object.hasOwn(given, def.name) ? given[def.name] : undefined;
    const value = givenValue || def.defaultValue;
    if (!value) {
      if (def.required) problems.push({ field: envField(def.name), message: "is required" });
      continue;
    }
    (def.secret ? secret : plain)[def.name] = value;
  }
  // Defaults may add entries the user did not send: the bound holds for what is deployed.
  const total = Object.keys(plain).length + Object.keys(secret).length;
  if (total > ENV_LIMITS.maxEntries && !problems.some((p) => p.field === "environment"))
    problems.push({ field: "environment", message: `must have at most ${ENV_LIMITS.maxEntries} variables` });
  return { plain, secret, problems };
}
