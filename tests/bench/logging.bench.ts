/**
 * Logging benchmark: what the services' logger (@proximity/logger: pino with secret redaction, see
 * patches/README.md for the redactor's patch) costs per line and per child logger, beside the bare
 * baseline of the same pino configuration without redaction, measured in the same run (rounds
 * alternate). Lines go to a stream that discards them, so this is the logger's own CPU. Figures
 * are printed, never asserted; the run fails only if a secret is written in clear.
 *
 *   pnpm bench:logging
 *   BENCH_LINES=200000 pnpm bench:logging
 */
import { createLogger, type Logger, loggerOptions } from "@proximity/logger";
import { type DestinationStream, pino } from "pino";
import { BenchReport, percentiles } from "./src/report.js";

const lines = Number(process.env.BENCH_LINES ?? 50_000);
const rounds = 5;
const report = new BenchReport("logging", { lines, rounds });

const discard: DestinationStream = { write: () => undefined };
const redacting = createLogger({ service: "bench" }, discard);
// createLogger's own options, redaction left out.
const bare = pino(loggerOptions({ service: "bench" }), discard);

const ids = { requestId: "req-7f3a", traceId: "4bf92f3577b34da6a3ce929d0e0e4736", userId: "u-0193" };

/** The gateway's line per request: three ids bound, the response as an object, a few fields. */
function requestLine(log: Logger): () => void {
  const child = log.child(ids);
  return () =>
    child.info(
      { res: { statusCode: 200 }, responseTime: 1.23, method: "GET", url: "/api/apps?per_page=50" },
      "request completed",
    );
}

const childLogger = (log: Logger) => () => log.child(ids);

function time(fn: () => void, n: number): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  return Number(process.hrtime.bigint() - start) / n / 1000;
}

function measure(make: (log: Logger) => () => void, n: number): { redacted: number; bare: number } {
  const withRedaction = make(redacting);
  const without = make(bare as Logger);
  time(withRedaction, n / 10); // warm-up
  time(without, n / 10);
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < rounds; r++) {
    a.push(time(withRedaction, n));
    b.push(time(without, n));
  }
  return { redacted: percentiles(a).p50, bare: percentiles(b).p50 };
}

function assertRedacts(): void {
  const written: string[] = [];
  const log = createLogger({ service: "bench" }, { write: (s: string) => void written.push(s) });
  log
    .child({ session: { cookie: "sid=s3cr3t" } })
    .info({ req: { headers: { authorization: "Bearer t0ken" } } }, "x");
  const text = written.join("");
  if (text.includes("s3cr3t") || text.includes("t0ken") || !text.includes("[redacted]"))
    throw new Error("the logger wrote a secret in clear");
}

assertRedacts();
console.log(
  `logging: ${lines} calls per round, ${rounds} rounds, median (each beside pino without redaction)`,
);
const line = measure(requestLine, lines);
report.add({ name: "request line", value: line.redacted, unit: "µs", baseline: line.bare });
const child = measure(childLogger, lines / 5);
report.add({ name: "child logger (3 ids)", value: child.redacted, unit: "µs", baseline: child.bare });
report.write();
