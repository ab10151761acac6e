/**
 * A PostgreSQL 15 cluster of one test file: initdb into a temporary directory, pg_ctl on a free
 * 127.0.0.1 port (as the postgres user, via runuser, when the test runs as root), restarted or
 * stopped at will. The machine's shared server (5432) is never touched.
 */
import { execFile } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freeTcpPort } from "@proximity/testing";

const run = promisify(execFile);
const BIN = "/usr/lib/postgresql/15/bin";

/** How pg_ctl stops the server: `fast` (clients cut off, clean shutdown) or `immediate` (a crash: recovery at the next start). */
export type StopMode = "fast" | "immediate";

export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres (trust authentication). */
  readonly url: string;
  readonly port: number;
  /** Stops (pg_ctl stop -m `mode`) and starts again on the same port and data. */
  restart(mode: StopMode): Promise<void>;
  stop(mode?: StopMode): Promise<void>;
  start(): Promise<void>;
  /** The server's log so far. */
  log(): string;
  /** Stops the server if running and removes its directory. */
  cleanup(): Promise<void>;
}

/**
 * Creates and starts the cluster. Fsync is off: a stop -m immediate is a crash of the server
 * process, not of the machine, so the WAL is still in the page cache and recovery replays it.
 */
export async function startPrivatePostgres(
  options: { maxConnections?: number } = {},
): Promise<PrivatePostgres> {
  if (!existsSync(join(BIN, "pg_ctl"))) throw new Error(`PostgreSQL 15 server binaries not found in ${BIN}`);
  const dir = mkdtempSync(join(tmpdir(), "proximity-pg-"));
  const data = join(dir, "data");
  const logFile = join(dir, "server.log");
  const port = await freeTcpPort();
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout } = await run("id", ["-u", "postgres"]);
    const { stdout: gid } = await run("id", ["-g", "postgres"]);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const pg = (tool: string, args: string[]) =>
    asRoot ? run("runuser", ["-u", "postgres", "--", join(BIN, tool), ...args]) : run(join(BIN, tool), args);
  let running = false;

  await pg("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"]);
  const serverOptions = [
    `-p ${port}`,
    "-c listen_addresses=127.0.0.1",
    `-c unix_socket_directories=${dir}`,
    `-c max_connections=${options.maxConnections ?? 200}`,
    "-c fsync=off",
    "-c full_page_writes=off",
  ].join(" ");
  const start = async () => {
    await pg("pg_ctl", ["-D", data, "-l", logFile, "-o", serverOptions, "-w", "-t", "60", "start"]);
    running = true;
  };
  const stop = async (mode: StopMode = "fast") => {
    if (!running) return;
    await pg("pg_ctl", ["-D", data, "-m", mode, "-w", "-t", "60", "stop"]);
    running = false;
  };
  try {
    await start();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start,
    stop,
    restart: async (mode) => {
      await stop(mode);
      await start();
    },
    log: () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : ""),
    cleanup: async () => {
      await stop("immediate").catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
