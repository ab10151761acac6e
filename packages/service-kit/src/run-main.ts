import { ConfigError } from "@proximity/config";

/**
 * Runs a service's async `main`, turning start-up failures into a plain message and exit code:
 * 78 for configuration errors (every bad variable listed), 1 otherwise.
 */
export function runMain(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78);
    }
    process.stderr.write(
      `fatal: start-up failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  });
}
