import type { App, Host } from "../../api/types";
import { AppDetails } from "./AppDetails";
import { AppEnvironment } from "./AppEnvironment";
import { AppMetrics } from "./AppMetrics";
import { LogPanel } from "./LogPanel";
import type { AppEvents } from "./useAppEvents";

interface AppOverviewProps {
  readonly app: App;
  readonly host: Host | undefined;
  readonly events: AppEvents;
  /** When the app was read (ms since the epoch): its figures are judged current or not then. */
  readonly now: number;
}

/** /apps/:appId: where the app runs, its usage, its live activity and its environment. */
export function AppOverview({ app, host, events, now }: AppOverviewProps) {
  return (
    <>
      <div className="overview-grid">
        <AppDetails app={app} host={host} now={now} />
        <AppMetrics app={app} now={now} />
      </div>
      <LogPanel lines={events.lines} truncated={events.truncated} connection={events.connection} />
      <AppEnvironment app={app} />
    </>
  );
}
