import type { Clients } from "../clients.js";
import { UsageError } from "../exit-codes.js";

/** Options only some commands take (the global ones are in options.ts). */
export type CommandOptionName = "limit" | "wait" | "no-wait" | "batch-size" | "max-batches";

export interface CommandContext {
  readonly clients: Clients;
  /** The arguments after noun and verb, as many as the command names. */
  readonly args: readonly string[];
  readonly options: Readonly<Partial<Record<CommandOptionName, string | boolean>>>;
}

/** What a command printed: `json` with --json, else `text`. */
export interface CommandResult {
  readonly json: unknown;
  readonly text: string;
}

/** One `<noun> <verb>` of proximityctl. */
export interface Command {
  readonly noun: string;
  readonly verb: string;
  /** Names of its positional arguments, e.g. ["<seq>"]. */
  readonly args: readonly string[];
  readonly options: readonly CommandOptionName[];
  /** One line for --help. */
  readonly summary: string;
  run(ctx: CommandContext): Promise<CommandResult>;
}

/** A whole number option within bounds, or a usage error naming it. */
export function intOption(
  ctx: CommandContext,
  name: CommandOptionName,
  bounds: { readonly min: number; readonly max: number },
): number | undefined {
  const value = ctx.options[name];
  if (value === undefined || typeof value === "boolean") return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < bounds.min || n > bounds.max)
    throw new UsageError(
      `--${name} must be a whole number from ${bounds.min} to ${bounds.max}, not "${value}"`,
    );
  return n;
}

/** A dead letter's sequence number (its id). */
export function seqArgument(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || !Number.isSafeInteger(n))
    throw new UsageError(
      `<seq> must be a dead letter's sequence number (a positive whole number), not "${value}"`,
    );
  return n;
}
