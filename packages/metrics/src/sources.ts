import type { Gauge } from "prom-client";
import { gauge } from "./registry.js";

/** One reading of a gauge measured at scrape time. */
export interface GaugeReading<L extends string> {
  readonly labels: Partial<Record<L, string | number>>;
  readonly value: number;
}

/** Measures its readings when Prometheus scrapes (a count in the database, a consumer's info). */
export type GaugeSource<L extends string> = () => Promise<readonly GaugeReading<L>[]>;

/** A gauge measured at scrape time from the sources live in this process. */
export interface SourcedGauge<L extends string> {
  /** Adds a source; the function returned removes it (call it when the resource stops). */
  add(source: GaugeSource<L>): () => void;
}

const SOURCE_TIMEOUT_MS = 2_000;

/**
 * A gauge whose value is read on each scrape rather than kept up to date: what is cheap to ask
 * (one indexed count, a JetStream consumer's info) is asked when someone looks. A source that
 * fails or takes longer than 2 s is left out of that scrape (its series disappear, which alerts
 * on absence can see) rather than failing the whole scrape.
 */
export function gaugeFromSources<L extends string>(spec: {
  name: string;
  help: string;
  labelNames: readonly L[];
}): SourcedGauge<L> {
  const sources = sourcesOf(spec.name);
  const g: Gauge<L> = gauge(spec);
  installCollector(g, sources as Set<GaugeSource<string>>);
  return {
    add(source) {
      sources.add(source as GaugeSource<string>);
      return () => void sources.delete(source as GaugeSource<string>);
    },
  };
}

const sourcesByName = new Map<string, Set<GaugeSource<string>>>();
const collecting = new WeakSet<object>();

function sourcesOf(name: string): Set<GaugeSource<string>> {
  let set = sourcesByName.get(name);
  if (!set) {
    set = new Set();
    sourcesByName.set(name, set);
  }
  return set;
}

function installCollector<L extends string>(g: Gauge<L>, sources: Set<GaugeSource<string>>): void {
  if (collecting.has(g)) return;
  collecting.add(g);
  // prom-client reads `collect` from the metric object at scrape time.
  (g as unknown as { collect: () => Promise<void> }).collect = async () => {
    const readings = await Promise.all([...sources].map((source) => withTimeout(source())));
    g.reset();
    for (const reading of readings.flat())
      g.set(reading.labels as Partial<Record<L, string | number>>, reading.value);
  };
}

async function withTimeout<T>(work: Promise<readonly T[]>): Promise<readonly T[]> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<readonly T[]>((resolve) => {
        timer = setTimeout(() => resolve([]), SOURCE_TIMEOUT_MS);
      }),
    ]);
  } catch {
    return [];
  } finally {
    clearTimeout(timer);
  }
}
