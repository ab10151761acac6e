import type { FieldError } from "@proximity/errors";
import { envNameProblem } from "./env-name.js";
import { ENV_LIMITS } from "./limits.js";

/** A lone UTF-16 surrogate: not text, and not representable in the UTF-8 `.env` file. */
const LONE_SURROGATE = /\p{Cs}/u;

/** The field of a variable in a problem; an absurdly long name is cut so the answer stays small. */
export function envField(name: string): string {
  const shown = name.length > ENV_LIMITS.nameMaxLength ? `${name.slice(0, ENV_LIMITS.nameMaxLength)}…` : name;
  return `environment.${shown}`;
}

/** Why `value` cannot be an environment value, or undefined when it can. */
export function envValueProblem(value: string): string | undefined {
  if (value.includes("\0")) return "must not contain a NUL byte";
  if (LONE_SURROGATE.test(value)) return "must be valid text";
  if (Buffer.byteLength(value, "utf8") > ENV_LIMITS.valueMaxBytes)
    return `must be at most ${ENV_LIMITS.valueMaxBytes} bytes`;
  return undefined;
}

/**
 * Every problem of a user-given environment (names and values; defaults and required variables are
 * resolveEnvironment's job). Fields are `environment.<NAME>`; too many entries is reported on
 * `environment`. An empty list means the environment is acceptable.
 */
export function environmentProblems(env: Readonly<Record<string, string>>): FieldError[] {
  const problems: FieldError[] = [];
  const entries = Object.entries(env);
  if (entries.length > ENV_LIMITS.maxEntries)
    problems.push({ field: "environment", message: `must have at most ${ENV_LIMITS.maxEntries} variables` });
  for (const [name, value] of entries) {
    const nameProblem = envNameProblem(name);
    if (nameProblem) problems.push({ field: envField(name), message: nameProblem });
    const valueProblem = typeof value === "string" ? envValueProblem(value) : "must be a string";
    if (valueProblem) problems.push({ field: envField(name), message: valueProblem });
  }
  return problems;
}
