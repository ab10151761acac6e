/**
 * Prometheus metrics: one registry per process with Node's default metrics, get-or-create
 * helpers for counters, gauges and histograms, gauges read at scrape time, and the small HTTP
 * server that serves `GET /metrics` on METRICS_PORT (0 = off).
 */

export type { Counter, Gauge, Histogram } from "prom-client";
export { counter, gauge, histogram, LATENCY_BUCKETS, metricsRegistry } from "./registry.js";
export type { MetricsServer, MetricsServerOptions } from "./server.js";
export { startMetricsServer } from "./server.js";
export type { GaugeReading, GaugeSource, SourcedGauge } from "./sources.js";
export { gaugeFromSources } from "./sources.js";
