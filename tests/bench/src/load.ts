/** Runs the autocannon load generator (load-generator.ts) in a child process and returns its figures. */
import { execFile } from "node:child_process";
import { join } from "node:path";

export interface LoadSpec {
  readonly url: string;
  readonly connections: number;
  readonly durationSeconds: number;
  readonly headers?: Record<string, string>;
}

export interface LoadResult {
  /** Completed requests (any status). */
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly durationSeconds: number;
  /** Latency percentiles, ms. */
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
}

const tsx = join(import.meta.dirname, "../../../node_modules/.bin/tsx");

export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    execFile(
      tsx,
      [join(import.meta.dirname, "load-generator.ts")],
      {
        env: { ...process.env, LOAD_SPEC: JSON.stringify({ headers: {}, ...spec }) },
        timeout: (spec.durationSeconds + 60) * 1000,
        maxBuffer: 1 << 20,
      },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`load generator failed: ${err.message}\n${stderr}`));
        const line = stdout.trim().split("\n").at(-1) ?? "";
        resolve(JSON.parse(line) as LoadResult);
      },
    );
  });
}
