/**
 * RESTORE: an archive back onto the app's own container (restore-onto-app.ts) or into a new app
 * (restore-into-new-app.ts). The request is checked before any effect; both paths poll a journaled
 * restore task instead of starting another, and wait up to BACKUP_TASK_TIMEOUT_MS for it.
 */
import type { backupsEventsV1 } from "@proximity/proto";
import { volidProblem } from "../../domain/backup-settings.js";
import { appDirectory } from "../../domain/deploy-scripts.js";
import type { Attempt } from "../operations/context.js";
import { ArchiveOperationError } from "../operations/errors.js";
import { reportContainerState } from "../operations/report-state.js";
import type { Cleanup, OperationSpec } from "../operations/run-operation.js";
import { cleanupFailedRestoreIntoNewApp } from "./cleanup-failed-restore.js";
import { restoreIntoNewApp } from "./restore-into-new-app.js";
import { restoreOntoApp } from "./restore-onto-app.js";

export type RestoreRequest = backupsEventsV1.RestoreRequested;
export type RestoreAttempt = Attempt<RestoreRequest>;

export const restoreSpec: OperationSpec<RestoreRequest> = {
  kind: "restore",
  // A new app's VMID is still to be chosen (and journaled by the placement).
  vmidOf: (r) => (r.newApp ? null : r.vmid || null),
  backupIdOf: (r) => r.backupId,
  run: async (a) => {
    assertRestorable(a.request);
    await (a.request.newApp ? restoreIntoNewApp(a) : restoreOntoApp(a));
  },
  cleanup: (c: Cleanup<RestoreRequest>) =>
    c.request.newApp ? cleanupFailedRestoreIntoNewApp(c) : reportContainerState(c),
};

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

/** Throws (for good) when the request cannot be carried out as given. */
function assertRestorable(r: RestoreRequest): void {
  const problem =
    (r.backupId ? undefined : "it names no backup") ??
    volidProblem(r.volid, r.storage) ??
    (r.newApp ? newAppProblem(r) : r.vmid > 0 ? undefined : "the app has no container to restore onto");
  if (problem) throw new ArchiveOperationError(`The restore request is invalid: ${problem}`);
}

function newAppProblem(r: RestoreRequest): string | undefined {
  if (!DNS_LABEL.test(r.hostname)) return "the new hostname is not a DNS label";
  if (!Number.isInteger(r.publicPort) || r.publicPort < 0 || r.publicPort > 65535)
    return "the new app's port is out of range";
  try {
    appDirectory(r.sourceAppId);
  } catch {
    return "it names no valid source app";
  }
  return undefined;
}
