import { ValidationError } from "@proximity/errors";
import { ENV_NAME_PATTERN } from "./env-name.js";
import { envField, envValueProblem } from "./environment-problems.js";

/**
 * Renders the `.env` file docker compose reads next to the app's compose file: one
 * `NAME="value"` line per variable, sorted by name, ending with a newline.
 *
 * Values are double-quoted with the four escapes compose's dotenv parser (compose-go v2) undoes:
 * `\\` → `\`, `\"` → `"`, `\$` → `$` (so user input is never interpolated), `\n`/`\r` → newline /
 * carriage return (so a multi-line value stays on one line of the file). Everything else, `#`,
 * `'`, spaces and tabs included, is literal inside the quotes. Single quotes cannot carry every
 * value: compose reads `\'` in them as an escape, so a value ending with `\` would not round-trip.
 *
 * Names need only be valid compose names (the platform's own `PROXIMITY_PORT` is rendered here
 * too); values must pass the value rules (no NUL byte, valid text, bounded size). Throws
 * ValidationError otherwise.
 */
export function renderEnvFile(values: Readonly<Record<string, string>>): string {
  const names = Object.keys(values).sort();
  const lines = names.map((name) => `${checkedName(name)}=${quote(name, values[name] ?? "")}`);
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

const ESCAPES: Readonly<Record<string, string>> = {
  "\\": "\\\\",
  '"': '\\"',
  $: "\\$",
  "\n": "\\n",
  "\r": "\\r",
};

function quote(name: string, value: string): string {
  const problem = typeof value === "string" ? envValueProblem(value) : "must be a string";
  if (problem)
    throw new ValidationError(`Environment variable ${name} cannot be written to .env`, [
      { field: envField(name), message: problem },
    ]);
  return `"${value.replace(/[\\"$\n\r]/g, (c) => ESCAPES[c] ?? c)}"`;
}

function checkedName(name: string): string {
  if (!ENV_NAME_PATTERN.test(name))
    throw new ValidationError("An environment variable name cannot be written to .env", [
      {
        field: envField(name),
        message: "must start with a letter or _ and contain only letters, digits and _",
      },
    ]);
  return name;
}

const UNESCAPES: Readonly<Record<string, string>> = { "\\": "\\", '"': '"', $: "$", n: "\n", r: "\r" };

/**
 * The value of `name` in a `.env` renderEnvFile wrote (its escapes undone), or undefined when the
 * file has no such line or the line is not one renderEnvFile writes.
 */
export function readEnvFileValue(text: string, name: string): string | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${name}="`));
  const quoted = line === undefined ? null : /^"((?:[^"\\]|\\.)*)"\s*$/.exec(line.slice(name.length + 1));
  if (!quoted) return undefined;
  let escaped = false;
  let value = "";
  for (const c of quoted[1] ?? "") {
    if (escaped) {
      const original = UNESCAPES[c];
      if (original === undefined) return undefined;
      value += original;
      escaped = false;
    } else if (c === "\\") escaped = true;
    else value += c;
  }
  return value;
}
