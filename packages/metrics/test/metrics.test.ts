import { freeTcpPort, testLogger } from "@proximity/testing";
import { afterEach, describe, expect, it } from "vitest";
import { counter, gaugeFromSources, metricsRegistry, startMetricsServer } from "../src/index.js";

const logger = testLogger("metrics");
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function serve(): Promise<string> {
  const server = await startMetricsServer({ logger, port: await freeTcpPort() });
  if (!server) throw new Error("expected a metrics server");
  closers.push(() => server.close());
  return `http://127.0.0.1:${server.port}`;
}

describe("metrics server", () => {
  it("GET /metrics - Prometheus text with the process metrics and ours", async () => {
    counter({ name: "proximity_test_things_total", help: "things", labelNames: ["kind"] }).inc(
      { kind: "a" },
      2,
    );
    const res = await fetch(`${await serve()}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    expect(text).toContain("# TYPE process_cpu_user_seconds_total counter");
    expect(text).toContain("nodejs_eventloop_lag_seconds");
    expect(text).toContain('proximity_test_things_total{kind="a"} 2');
  });

  it("answers nothing but GET /metrics", async () => {
    const base = await serve();
    expect((await fetch(`${base}/`)).status).toBe(404);
    expect((await fetch(`${base}/metrics/../admin`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: "POST" })).status).toBe(405);
  });

  it("METRICS_PORT=0 - no server at all", async () => {
    expect(await startMetricsServer({ logger, port: 0 })).toBeUndefined();
  });

  it("close - the port is released and keep-alive scrapers do not hold it", async () => {
    const port = await freeTcpPort();
    const server = await startMetricsServer({ logger, port });
    await fetch(`http://127.0.0.1:${port}/metrics`, { keepalive: true });
    await server!.close();
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
  });

  it("counter - the same name gives the same metric (services sharing a process)", () => {
    const a = counter({ name: "proximity_test_shared_total", help: "shared", labelNames: [] });
    const b = counter({ name: "proximity_test_shared_total", help: "shared", labelNames: [] });
    expect(a).toBe(b);
  });
});

describe("gaugeFromSources", () => {
  const g = gaugeFromSources({ name: "proximity_test_backlog", help: "backlog", labelNames: ["queue"] });
  const read = async () =>
    (await metricsRegistry().getSingleMetricAsString("proximity_test_backlog")).split("\n");

  it("reads every live source on scrape; a removed source is gone from the next scrape", async () => {
    let depth = 3;
    const removeA = g.add(async () => [{ labels: { queue: "a" }, value: depth }]);
    const removeB = g.add(async () => [{ labels: { queue: "b" }, value: 1 }]);
    expect(await read()).toEqual(
      expect.arrayContaining(['proximity_test_backlog{queue="a"} 3', 'proximity_test_backlog{queue="b"} 1']),
    );
    depth = 5;
    removeB();
    const lines = await read();
    expect(lines).toContain('proximity_test_backlog{queue="a"} 5');
    expect(lines.some((l) => l.includes('queue="b"'))).toBe(false);
    removeA();
  });

  it("a failing source is left out of the scrape, the others still answer", async () => {
    const removeBad = g.add(async () => {
      throw new Error("database away");
    });
    const removeGood = g.add(async () => [{ labels: { queue: "ok" }, value: 7 }]);
    expect(await read()).toContain('proximity_test_backlog{queue="ok"} 7');
    removeBad();
    removeGood();
  });
});
