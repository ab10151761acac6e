import { Events } from "@proximity/bus";
import { PermissionDeniedError } from "@proximity/errors";
import type { AppRow } from "../db/apps.table.js";
import { appendLog } from "../db/deployment-log.repository.js";
import { insertOperation } from "../db/operation.repository.js";
import { emit } from "./app-events.js";
import { withClaimedApp } from "./claim-app.js";
import { secretNames } from "./deploy-request.js";
import type { LifeCycleDeps, RequestContext } from "./life-cycle-deps.js";

export interface DeleteAppCommand {
  readonly appId: string;
  /** Adopted apps only (admins): destroy the container instead of only forgetting it. */
  readonly destroyContainer: boolean;
  readonly deleteBackups: boolean;
}

/** What a delete does to the container and the backups, kept on the operation for its result. */
export interface DeleteOptions {
  readonly destroyContainer: boolean;
  readonly deleteBackups: boolean;
}

/**
 * Removes a settled app (running, stopped or error): it moves to `removing` and the provisioner is
 * asked to destroy its container (always for deployed apps; for adopted ones only when an admin
 * asks, otherwise the container is left alone and only forgotten) and its secrets. The app becomes
 * `gone` (port and quota slot freed) when the provisioner reports success.
 */
export async function deleteApp(
  deps: LifeCycleDeps,
  command: DeleteAppCommand,
  ctx: RequestContext,
): Promise<AppRow> {
  const adoptedGuard = (app: AppRow) => {
    if (app.adopted && command.destroyContainer && !ctx.user.isAdmin) {
      throw new PermissionDeniedError("Only administrators may destroy the container of an adopted app");
    }
  };
  const app = await withClaimedApp(
    deps.db,
    command.appId,
    ctx.user,
    "delete",
    async (trx, { app, operationId }) => {
      const options: DeleteOptions = {
        destroyContainer: app.adopted ? command.destroyContainer : true,
        deleteBackups: command.deleteBackups,
      };
      await insertOperation(trx, {
        id: operationId,
        appId: app.id,
        kind: "delete",
        requestedBy: ctx.user.id,
        deadlineMs: deps.settings.deadlinesMs.delete,
        options: { ...options },
      });
      await appendLog(trx, {
        appId: app.id,
        level: "info",
        step: "requested",
        message: options.destroyContainer ? "Removal requested" : "Removal requested (the container is kept)",
      });
      await emit(
        trx,
        Events.AppDeleteRequested,
        {
          operationId,
          appId: app.id,
          hostId: app.host_id,
          node: app.node,
          vmid: app.vmid ?? 0,
          destroyContainer: options.destroyContainer,
          secretEnvironment: secretNames(app),
        },
        app,
        ctx.traceparent,
      );
      return app;
    },
    { check: adoptedGuard },
  );
  ctx.log.info({ appId: app.id, operationId: app.current_operation_id }, "app removal requested");
  return app;
}
