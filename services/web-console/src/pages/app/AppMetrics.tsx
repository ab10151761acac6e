import type { ReactNode } from "react";
import type { App } from "../../api/types";
import { formatBytes, formatDateTime, formatPercent } from "../../lib/format";
import { isReportOld, isReportStale } from "../../lib/report-age";
import { hasRunningFigures, noRunningFigure } from "./running-figures";

function share(used: number, max: number): number | undefined {
  return max > 0 ? used / max : undefined;
}

/** A number with its unit ("684 MiB", "67 %"), never split over two lines. */
function Amount({ children }: { readonly children: string }) {
  return <span className="nowrap">{children}</span>;
}

/** "684 MiB of 1 GiB (67 %)". */
function UsedOfMax({ used, max }: { readonly used: number; readonly max: number }) {
  return (
    <>
      <Amount>{formatBytes(used)}</Amount> of <Amount>{formatBytes(max)}</Amount> (
      <Amount>{formatPercent(share(used, max))}</Amount>)
    </>
  );
}

interface UsageProps {
  readonly id: string;
  readonly term: string;
  readonly fraction: number | undefined;
  readonly children: ReactNode;
}

/** One figure: its meter and its words side by side, the words under the meter where both do not fit. */
function Usage({ id, term, fraction, children }: UsageProps) {
  return (
    <div>
      <dt id={id}>{term}</dt>
      <dd className="usage-value">
        {fraction === undefined ? null : (
          <meter aria-labelledby={id} min={0} max={1} low={0.7} high={0.9} optimum={0} value={fraction} />
        )}
        <span>{children}</span>
      </dd>
    </div>
  );
}

/**
 * CPU, memory and disk use as last sampled (the page refreshes them every few seconds). CPU and
 * memory only while the app runs: a stopped app's last sample still holds its running figures; nor
 * once its host has stopped reporting (`now`: when the app was read), when disk use is shown as of
 * its time.
 */
export function AppMetrics({ app, now }: { readonly app: App; readonly now: number }) {
  const metrics = app.metrics;
  const running = hasRunningFigures(app, now);
  const old = isReportOld(app, now);
  // The host is blamed only when no attention explains the old report (lib/report-age).
  const stale = isReportStale(app, now);
  return (
    <section className="panel" aria-labelledby="metrics-title">
      <h2 id="metrics-title">Usage</h2>
      {metrics ? (
        <>
          <dl className="details">
            <Usage id="usage-cpu" term="CPU" fraction={running ? metrics.cpu : undefined}>
              {running ? <Amount>{formatPercent(metrics.cpu)}</Amount> : noRunningFigure(app, now)}
            </Usage>
            <Usage
              id="usage-memory"
              term="Memory"
              fraction={running ? share(metrics.mem_bytes, metrics.max_mem_bytes) : undefined}
            >
              {running ? (
                <UsedOfMax used={metrics.mem_bytes} max={metrics.max_mem_bytes} />
              ) : (
                noRunningFigure(app, now)
              )}
            </Usage>
            <Usage id="usage-disk" term="Disk" fraction={share(metrics.disk_bytes, metrics.max_disk_bytes)}>
              <UsedOfMax used={metrics.disk_bytes} max={metrics.max_disk_bytes} />
            </Usage>
          </dl>
          <p className="hint usage-sampled">
            {stale
              ? `Last measured ${formatDateTime(metrics.sampled_at)}: its host has not reported since.`
              : old
                ? `Last measured ${formatDateTime(metrics.sampled_at)}.`
                : `Measured ${formatDateTime(metrics.sampled_at)}; refreshed every few seconds.`}
          </p>
        </>
      ) : stale ? (
        <p className="muted">No recent usage figures: its host has not reported on the app lately.</p>
      ) : old ? (
        <p className="muted">No recent usage figures.</p>
      ) : (
        <p className="muted">
          No usage figures yet. They appear once the app's container runs and its host has reported.
        </p>
      )}
    </section>
  );
}
