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
}

/** /apps/:appId: where the app runs, its usage, its live activity and its environment. */
export function AppOverview({ app, host, events }: AppOverviewProps) {
  return (
    <>
      <div className="overview-grid">
        <AppDetails app={app} host={host} />
        <AppMetrics app={app} />
      </div>
      <LogPanel lines={events.lines} truncated={events.truncated} connection={events.connection} />
      <AppEnvironment app={app} />
    </>
  );
}
