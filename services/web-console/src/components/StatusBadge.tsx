import type { AppStatus } from "../api/types";
import { Badge, type Tone } from "./Badge";

/** Each status in words, and its tone (colour is never the only signal: the word is shown). */
const STATUS: Record<AppStatus, { label: string; tone: Tone }> = {
  running: { label: "Running", tone: "ok" },
  stopped: { label: "Stopped", tone: "idle" },
  deploying: { label: "Deploying", tone: "busy" },
  starting: { label: "Starting", tone: "busy" },
  stopping: { label: "Stopping", tone: "busy" },
  restarting: { label: "Restarting", tone: "busy" },
  updating: { label: "Updating", tone: "busy" },
  cloning: { label: "Cloning", tone: "busy" },
  adopting: { label: "Adopting", tone: "busy" },
  removing: { label: "Removing", tone: "busy" },
  restoring: { label: "Restoring", tone: "busy" },
  error: { label: "Error", tone: "bad" },
};

export function statusLabel(status: AppStatus): string {
  return STATUS[status]?.label ?? status;
}

/** True while an operation is changing the app (its page refreshes more often). */
export function isBusy(status: AppStatus): boolean {
  return STATUS[status]?.tone === "busy";
}

export function StatusBadge({ status }: { readonly status: AppStatus }) {
  return <Badge tone={STATUS[status]?.tone ?? "idle"}>{statusLabel(status)}</Badge>;
}
