/**
 * The command line: `proximityctl [global options] <noun> <verb> [argument] [command options]`,
 * options anywhere. Parsed with node's util.parseArgs (strict: an unknown option is a usage error),
 * which covers this grammar without a dependency.
 */
import { parseArgs } from "node:util";
import { UsageError } from "./exit-codes.js";

const OPTIONS = {
  identity: { type: "string" },
  json: { type: "boolean" },
  timeout: { type: "string" },
  applications: { type: "string" },
  hosts: { type: "string" },
  secrets: { type: "string" },
  provisioner: { type: "string" },
  help: { type: "boolean", short: "h" },
  limit: { type: "string" },
  wait: { type: "string" },
  "no-wait": { type: "boolean" },
  "batch-size": { type: "string" },
  "max-batches": { type: "string" },
} as const;

/** Options every command takes. */
export const GLOBAL_OPTIONS = [
  "identity",
  "json",
  "timeout",
  "applications",
  "hosts",
  "secrets",
  "provisioner",
  "help",
] as const;

export type OptionName = keyof typeof OPTIONS;

export interface ParsedCommandLine {
  readonly positionals: readonly string[];
  readonly values: Readonly<Partial<Record<OptionName, string | boolean>>>;
}

export function parseCommandLine(argv: readonly string[]): ParsedCommandLine {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: OPTIONS,
      strict: true,
      allowPositionals: true,
    });
    return { positionals, values: values as ParsedCommandLine["values"] };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const unknown = /^Unknown option '([^']+)'/.exec(message);
    // parseArgs's own text otherwise (a missing value, a value given to a flag), first sentence.
    throw new UsageError(unknown ? `unknown option ${unknown[1]}` : message.split(/\.\s|\n/)[0]!);
  }
}

/** Seconds given to --timeout as the deadline of each call (default 10 s). */
export function deadlineMsOf(value: string | boolean | undefined): number {
  if (value === undefined) return 10_000;
  const n = Number(value);
  if (typeof value !== "string" || !/^\d+(\.\d+)?$/.test(value) || n <= 0 || n > 3600)
    throw new UsageError(`--timeout must be a number of seconds from 0 to 3600, not "${String(value)}"`);
  return Math.round(n * 1000);
}
