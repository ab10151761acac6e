import type { App } from "../../api/types";
import { formatBytes, formatDateTime, formatPercent } from "../../lib/format";

function share(used: number, max: number): number | undefined {
  return max > 0 ? used / max : undefined;
}

interface UsageProps {
  readonly id: string;
  readonly term: string;
  readonly fraction: number | undefined;
  readonly text: string;
}

function Usage({ id, term, fraction, text }: UsageProps) {
  return (
    <div>
      <dt id={id}>{term}</dt>
      <dd>
        {fraction === undefined ? null : (
          <meter aria-labelledby={id} min={0} max={1} low={0.7} high={0.9} optimum={0} value={fraction} />
        )}{" "}
        {text}
      </dd>
    </div>
  );
}

/** CPU, memory and disk use as last sampled (the page refreshes them every few seconds). */
export function AppMetrics({ app }: { readonly app: App }) {
  const metrics = app.metrics;
  return (
    <section className="panel" aria-labelledby="metrics-title">
      <h2 id="metrics-title">Usage</h2>
      {metrics ? (
        <>
          <dl className="details">
            <Usage id="usage-cpu" term="CPU" fraction={metrics.cpu} text={formatPercent(metrics.cpu)} />
            <Usage
              id="usage-memory"
              term="Memory"
              fraction={share(metrics.mem_bytes, metrics.max_mem_bytes)}
              text={`${formatBytes(metrics.mem_bytes)} of ${formatBytes(metrics.max_mem_bytes)} (${formatPercent(share(metrics.mem_bytes, metrics.max_mem_bytes))})`}
            />
            <Usage
              id="usage-disk"
              term="Disk"
              fraction={share(metrics.disk_bytes, metrics.max_disk_bytes)}
              text={`${formatBytes(metrics.disk_bytes)} of ${formatBytes(metrics.max_disk_bytes)} (${formatPercent(share(metrics.disk_bytes, metrics.max_disk_bytes))})`}
            />
          </dl>
          <p className="hint">Measured {formatDateTime(metrics.sampled_at)}; refreshed every few seconds.</p>
        </>
      ) : (
        <p className="muted">
          No usage figures yet. They appear once the app's container runs and its host has reported.
        </p>
      )}
    </section>
  );
}
