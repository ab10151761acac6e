/**
 * Rendering of the app's `.env` for docker compose. Values are single-quoted, which compose reads
 * literally (no `$VAR` interpolation of user input); the only escape inside is `\'`.
 */
import { ValidationError } from "@proximity/errors";

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * One `KEY='value'` line per variable, sorted by key. Throws ValidationError for names compose
 * cannot read and for values single quotes cannot carry unambiguously (a NUL byte, or a backslash
 * right before a quote or at the end, which compose would take for an escape).
 */
export function renderEnvFile(environment: Readonly<Record<string, string>>): string {
  const lines = Object.keys(environment)
    .sort()
    .map((key) => `${checkedKey(key)}=${quoteEnvValue(key, environment[key] ?? "")}`);
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

/** Quotes one value for a compose `.env` file. */
export function quoteEnvValue(key: string, value: string): string {
  if (value.includes("\0") || /\\('|$)/.test(value)) {
    throw new ValidationError(`Environment variable ${key} has a value that cannot be written to .env`, [
      {
        field: `environment.${key}`,
        message: "contains a NUL byte or a backslash before a quote or at the end",
      },
    ]);
  }
  return `'${value.replaceAll("'", "\\'")}'`;
}

function checkedKey(key: string): string {
  if (!KEY.test(key)) {
    throw new ValidationError(`Environment variable name ${JSON.stringify(key)} is not valid`, [
      { field: "environment", message: "names are letters, digits and _, not starting with a digit" },
    ]);
  }
  return key;
}
