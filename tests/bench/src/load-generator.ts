/**
 * Load generator in a process of its own (so its CPU is not counted as the server's): runs
 * autocannon against one URL and prints its result as one JSON line on stdout.
 * Input: the LOAD_SPEC environment variable, a JSON LoadSpec. Used through runLoad (load.ts).
 */
import autocannon from "autocannon";

const spec = JSON.parse(process.env.LOAD_SPEC ?? "{}") as {
  url: string;
  connections: number;
  durationSeconds: number;
  headers: Record<string, string>;
};

const result = await autocannon({
  url: spec.url,
  connections: spec.connections,
  duration: spec.durationSeconds,
  headers: spec.headers,
});
process.stdout.write(
  `${JSON.stringify({
    requests: result.requests.total,
    requestsPerSecond: result.requests.average,
    durationSeconds: result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  })}\n`,
);
