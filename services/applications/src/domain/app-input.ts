import type { FieldError } from "@proximity/errors";

/**
 * Rules for what a user may ask to deploy. The gateway validates too; the service repeats the
 * checks because it is the owner of the data and other callers may appear.
 */

const HOSTNAME_MAX = 253;
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const ENV_KEY = /^[A-Z_][A-Z0-9_]*$/;
export const ENVIRONMENT_MAX_ENTRIES = 50;
export const ENVIRONMENT_VALUE_MAX_BYTES = 4 * 1024;

/**
 * Why `hostname` is not an RFC 1123 host name (dot-separated labels of 1–63 lower-case letters,
 * digits and hyphens, no hyphen at either end, 253 characters in all), or undefined when it is.
 */
export function hostnameProblem(hostname: string): string | undefined {
  if (hostname.length === 0) return "is required";
  if (hostname.length > HOSTNAME_MAX) return `must be at most ${HOSTNAME_MAX} characters`;
  if (hostname !== hostname.toLowerCase()) return "must be lower-case";
  for (const label of hostname.split(".")) {
    if (label.length === 0 || label.length > 63) return "each label (between dots) must be 1–63 characters";
    if (!LABEL.test(label)) {
      return "labels may only contain a-z, 0-9 and '-', and may not start or end with '-'";
    }
  }
  return undefined;
}

/** Problems with an environment map: variable names, number of entries and value sizes. */
export function environmentProblems(environment: Readonly<Record<string, string>>): FieldError[] {
  const entries = Object.entries(environment);
  const problems: FieldError[] = [];
  if (entries.length > ENVIRONMENT_MAX_ENTRIES) {
    problems.push({ field: "environment", message: `at most ${ENVIRONMENT_MAX_ENTRIES} variables` });
  }
  for (const [key, value] of entries) {
    if (!ENV_KEY.test(key)) {
      problems.push({
        field: `environment.${key}`,
        message: "names must match ^[A-Z_][A-Z0-9_]*$ (upper-case letters, digits, underscores)",
      });
    } else if (Buffer.byteLength(value, "utf8") > ENVIRONMENT_VALUE_MAX_BYTES) {
      problems.push({ field: `environment.${key}`, message: "values must be at most 4 KiB" });
    }
  }
  return problems;
}
