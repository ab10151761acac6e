import type { App } from "../../api/types";
import { statusLabel } from "../../components/StatusBadge";

/**
 * Whether CPU, memory and uptime describe the app now. They are figures of a running container,
 * and the API keeps an app's last sample until the next one (seconds later): right after a stop it
 * still holds the running figures. So they are shown for a running app only; disk use outlasts a
 * stop and is shown from the last sample whatever the status.
 */
export function hasRunningFigures(app: Pick<App, "status">): boolean {
  return app.status === "running";
}

/** Said in place of a running figure, e.g. "None while the app is stopped". */
export function noRunningFigure(app: Pick<App, "status">): string {
  return app.status === "error"
    ? "None while the app is in error"
    : `None while the app is ${statusLabel(app.status).toLowerCase()}`;
}
