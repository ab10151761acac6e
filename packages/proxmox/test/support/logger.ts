/** A logger for tests that keeps its JSON lines in memory, so tests can assert on warnings. */
import { Writable } from "node:stream";
import { createLogger, type Logger } from "@proximity/logger";

/** Logger plus the lines it wrote. */
export function memoryLogger(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const raw: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      raw.push(String(chunk));
      cb();
    },
  });
  const logger = createLogger({ service: "proxmox-test", level: "debug" }, sink);
  return {
    logger,
    lines: () =>
      raw.flatMap((l) =>
        l
          .split("\n")
          .filter(Boolean)
          .map((x) => JSON.parse(x)),
      ),
  };
}
