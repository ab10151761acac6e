import { ENV_LIMITS } from "./limits.js";

/** What docker compose accepts as a variable name in a `.env` file and in `${NAME}` interpolation. */
export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Prefixes owned by the platform or by docker compose itself: `COMPOSE_*` and `DOCKER_*` change how
 * compose and the engine behave (project name, files, host), `PROXIMITY_*` carries what the platform
 * writes (the published port). Compared case-insensitively, like a careless user would type them.
 */
const RESERVED_PREFIXES = ["COMPOSE_", "DOCKER_", "PROXIMITY_"] as const;

/**
 * Why `name` cannot be an app's environment variable, or undefined when it can. Messages are
 * client-safe and never quote the name (the caller puts it in the field).
 * @example envNameProblem("DB_PASSWORD") // undefined
 * @example envNameProblem("docker_host") // "is reserved"
 */
export function envNameProblem(name: string): string | undefined {
  if (name.length === 0) return "must not be empty";
  if (name.length > ENV_LIMITS.nameMaxLength) return `must be at most ${ENV_LIMITS.nameMaxLength} characters`;
  if (!ENV_NAME_PATTERN.test(name))
    return "must start with a letter or _ and contain only letters, digits and _";
  const upper = name.toUpperCase();
  if (RESERVED_PREFIXES.some((prefix) => upper.startsWith(prefix))) return "is reserved";
  // A plain-object key that JavaScript treats as the prototype setter: the value would vanish.
  if (name === "__proto__") return "is reserved";
  return undefined;
}
