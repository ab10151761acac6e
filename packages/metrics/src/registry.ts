import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/**
 * One registry per process: every package that instruments (grpc, bus, a service's own) adds its
 * metrics to it, and the process's metrics server serves it. Metrics are created once by name, so
 * two services started in one process (tests) share them; labels tell them apart.
 */
let processRegistry: Registry | undefined;

/** The process's registry, with Node's default process metrics (CPU, memory, event loop lag). */
export function metricsRegistry(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** Seconds buckets for calls that take milliseconds to tens of seconds (RPCs, HTTP, Proxmox). */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

interface MetricSpec<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
}

/** The counter `name`, created on first use. */
export function counter<L extends string>(spec: MetricSpec<L>): Counter<L> {
  return (
    (existing(spec.name) as Counter<L> | undefined) ??
    new Counter({ ...spec, registers: [metricsRegistry()] })
  );
}

/** The gauge `name`, created on first use (see also gaugeFromSources). */
export function gauge<L extends string>(spec: MetricSpec<L>): Gauge<L> {
  return (
    (existing(spec.name) as Gauge<L> | undefined) ?? new Gauge({ ...spec, registers: [metricsRegistry()] })
  );
}

/** The histogram `name`, created on first use; buckets default to LATENCY_BUCKETS. */
export function histogram<L extends string>(spec: MetricSpec<L> & { buckets?: number[] }): Histogram<L> {
  return (
    (existing(spec.name) as Histogram<L> | undefined) ??
    new Histogram({ buckets: LATENCY_BUCKETS, ...spec, registers: [metricsRegistry()] })
  );
}

function existing(name: string) {
  return metricsRegistry().getSingleMetric(name);
}
