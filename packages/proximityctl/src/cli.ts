/**
 * proximityctl's main function: parses the command line, loads the sre identity, runs one
 * command against the services, prints its answer (a table, or JSON with --json) and returns the
 * exit code. Errors are one line on stderr. In-process and without process.exit, so tests run it
 * as it is.
 */
import { addressesOf, CallFailed, createClients } from "./clients.js";
import type { Command, CommandOptionName } from "./commands/command.js";
import { COMMANDS } from "./commands/index.js";
import { CommandFailed, ExitCode, type ExitCodeValue, IdentityError, UsageError } from "./exit-codes.js";
import { identityDirOf, loadOperatorIdentity } from "./identity.js";
import { deadlineMsOf, GLOBAL_OPTIONS, type ParsedCommandLine, parseCommandLine } from "./options.js";
import { usageText } from "./usage.js";

/** Where the CLI writes and what it reads of its environment. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly env: NodeJS.ProcessEnv;
  /** Relative paths (--identity) are resolved against it: the directory the command was typed in. */
  readonly cwd: string;
}

/**
 * Runs one command line (without the program name) and returns its exit code.
 * @example
 * const code = await runProximityctl(["dead-letters", "list", "--json"], { stdout, stderr, env, cwd });
 */
export async function runProximityctl(argv: readonly string[], io: CliIo): Promise<ExitCodeValue> {
  try {
    const line = parseCommandLine(argv);
    const [noun, verb] = line.positionals;
    if (line.values.help || noun === "help") {
      io.stdout.write(usageText());
      return ExitCode.ok;
    }
    if (!noun) throw new UsageError("no command given");
    const command = findCommand(noun, verb);
    const args = line.positionals.slice(2);
    checkCommandLine(command, args, line);
    const keys = loadOperatorIdentity(identityDirOf(asString(line.values.identity), io.env, io.cwd));
    const addresses = addressesOf(
      {
        applications: asString(line.values.applications),
        hosts: asString(line.values.hosts),
        secrets: asString(line.values.secrets),
        provisioner: asString(line.values.provisioner),
      },
      io.env,
    );
    const clients = createClients(keys, addresses, deadlineMsOf(line.values.timeout));
    try {
      const result = await command.run({ clients, args, options: commandOptions(line) });
      io.stdout.write(`${line.values.json ? JSON.stringify(result.json, null, 2) : result.text}\n`);
      return ExitCode.ok;
    } finally {
      clients.close();
    }
  } catch (err) {
    const { code, message } = explain(err);
    io.stderr.write(`proximityctl: ${message}\n`);
    if (code === ExitCode.usage) io.stderr.write("Run proximityctl --help for the commands and options.\n");
    return code;
  }
}

function findCommand(noun: string, verb: string | undefined): Command {
  const ofNoun = COMMANDS.filter((c) => c.noun === noun);
  if (ofNoun.length === 0) throw new UsageError(`unknown command "${noun}"`);
  const command = ofNoun.find((c) => c.verb === verb);
  if (!command)
    throw new UsageError(
      `${noun}: ${verb ? `unknown verb "${verb}"` : "a verb is missing"}; one of ${ofNoun.map((c) => c.verb).join(", ")}`,
    );
  return command;
}

function checkCommandLine(command: Command, args: readonly string[], line: ParsedCommandLine): void {
  const name = `${command.noun} ${command.verb}`;
  if (args.length !== command.args.length)
    throw new UsageError(
      command.args.length === 0
        ? `${name} takes no argument`
        : `${name} takes ${command.args.join(" ")}${args.length > command.args.length ? " only" : ""}`,
    );
  if (args.some((a) => a.trim() === "")) throw new UsageError(`${name}: ${command.args.join(" ")} is empty`);
  const allowed = new Set<string>([...GLOBAL_OPTIONS, ...command.options]);
  for (const option of Object.keys(line.values))
    if (!allowed.has(option)) throw new UsageError(`--${option} does not apply to ${name}`);
}

function commandOptions(line: ParsedCommandLine): Partial<Record<CommandOptionName, string | boolean>> {
  const { limit, wait, "no-wait": noWait, "batch-size": batchSize, "max-batches": maxBatches } = line.values;
  return { limit, wait, "no-wait": noWait, "batch-size": batchSize, "max-batches": maxBatches };
}

function asString(value: string | boolean | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** A TLS failure reported as UNAVAILABLE: the identity (certificate or CA) is not this platform's. */
const TLS_FAILURE = /certificate|handshake|ssl|tls|self[- ]signed|unable to verify/i;

function explain(err: unknown): { code: ExitCodeValue; message: string } {
  if (err instanceof UsageError) return { code: ExitCode.usage, message: err.message };
  if (err instanceof IdentityError) return { code: ExitCode.denied, message: err.message };
  if (err instanceof CommandFailed) return { code: ExitCode.callFailed, message: err.message };
  if (err instanceof CallFailed) {
    const fields = err.fieldErrors.map((f) => `${f.field}: ${f.message}`).join("; ");
    const where = `${err.service} at ${err.address}: ${err.method}`;
    const line = `${where}: ${err.status}: ${oneLine(err.detail)}${fields ? ` (${oneLine(fields)})` : ""}`;
    if (err.status === "NOT_FOUND") return { code: ExitCode.notFound, message: line };
    if (err.status === "PERMISSION_DENIED" || err.status === "UNAUTHENTICATED")
      return { code: ExitCode.denied, message: line };
    if (err.status === "UNAVAILABLE" && TLS_FAILURE.test(err.detail))
      return {
        code: ExitCode.denied,
        message: `${line} (the TLS handshake failed: is the identity this platform's sre bundle?)`,
      };
    return { code: ExitCode.callFailed, message: line };
  }
  return { code: ExitCode.callFailed, message: oneLine(err instanceof Error ? err.message : String(err)) };
}

function oneLine(text: string): string {
  // grpc-js ends some channel errors with an empty "Resolution note:".
  return text.replace(/\s*\n\s*/g, " ").replace(/\s*Resolution note:\s*$/, "");
}
