import { resolveEnvironment } from "@proximity/app-env";
import { Events } from "@proximity/bus";
import { ConflictError, ValidationError } from "@proximity/errors";
import { applicationsEventsV1 } from "@proximity/proto";
import type { Catalog } from "../catalog/catalog.js";
import type { CatalogItem } from "../catalog/catalog-item.js";
import type { AppRow } from "../db/apps.table.js";
import type { ApplicationsDb } from "../db/database.js";
import { appendLog } from "../db/deployment-log.repository.js";
import { copiedBy, insertOperation } from "../db/operation.repository.js";
import { ActionRefusedError } from "../domain/action-refused.error.js";
import { type AppAction, isRequestableAction, REQUESTABLE_ACTIONS } from "../domain/operations.js";
import { emit } from "./app-events.js";
import { type Claim, refuseAfterUnfinishedDelete, withClaimedApp } from "./claim-app.js";
import { deployRequest, secretNames } from "./deploy-request.js";
import type { LifeCycleDeps, RequestContext } from "./life-cycle-deps.js";
import { allocatePublicPort } from "./placement-guards.js";

const { AppAction: ProtoAction } = applicationsEventsV1;

const TO_PROTO: Readonly<Partial<Record<AppAction, applicationsEventsV1.AppAction>>> = {
  start: ProtoAction.APP_ACTION_START,
  stop: ProtoAction.APP_ACTION_STOP,
  restart: ProtoAction.APP_ACTION_RESTART,
  update: ProtoAction.APP_ACTION_UPDATE,
};

const REQUESTED: Readonly<Record<string, string>> = {
  start: "Start requested",
  stop: "Stop requested",
  restart: "Restart requested",
  update: "Update requested",
  retry: "Deployment retry requested",
};

/**
 * start | stop | restart | update | retry on an app the user may see: the app moves to its
 * in-flight status with a new operation, a log line and the provisioner's request (AppActionRequested,
 * or AppDeployRequested for a retry) committed together.
 */
export async function requestAppAction(
  deps: LifeCycleDeps,
  appId: string,
  action: string,
  ctx: RequestContext,
): Promise<AppRow> {
  if (!isRequestableAction(action)) {
    throw new ValidationError("Invalid action", [
      { field: "action", message: `must be one of ${REQUESTABLE_ACTIONS.join(", ")}` },
    ]);
  }
  const app = await withClaimedApp(deps.db, appId, ctx.user, action, async (trx, claim) => {
    const operation = await insertOperation(trx, {
      id: claim.operationId,
      appId: claim.app.id,
      kind: claim.kind,
      requestedBy: ctx.user.id,
      deadlineMs: deps.settings.deadlinesMs[claim.kind],
    });
    await appendLog(trx, {
      appId: claim.app.id,
      level: "info",
      step: "requested",
      message: REQUESTED[action]!,
    });
    return action === "retry"
      ? requestRetry(deps, trx, claim, operation.deadline_at, ctx)
      : requestAction(deps.catalog, trx, claim, action, ctx);
  });
  ctx.log.info({ appId: app.id, action, operationId: app.current_operation_id }, "app action requested");
  return app;
}

async function requestRetry(
  deps: LifeCycleDeps,
  trx: ApplicationsDb,
  claim: Claim,
  notAfter: Date,
  ctx: RequestContext,
) {
  // A clone or a restore into a new app that failed has nothing to redeploy from (the copied data
  // is gone): a retry would silently make a fresh app instead. Refused; the claim rolls back with it.
  const copied = await copiedBy(trx, claim.app.id);
  if (copied) {
    throw new ActionRefusedError(
      claim.before.status,
      "retry",
      copied === "clone"
        ? "Cannot retry a failed clone: delete it and clone the source app again"
        : "Cannot retry a failed restore: delete it and restore the backup again",
    );
  }
  const item = catalogItemOf(deps.catalog, claim.app, "redeployed");
  // The failed deployment gave its port back; the retry takes a new one.
  const publicPort =
    claim.app.public_port ??
    (await allocatePublicPort(trx, claim.app.host_id, claim.app.id, deps.settings.portRange));
  const app = { ...claim.app, public_port: publicPort };
  await emit(
    trx,
    Events.AppDeployRequested,
    deployRequest(app, item, claim.operationId, notAfter),
    app,
    ctx.traceparent,
  );
  return app;
}

async function requestAction(
  catalog: Catalog,
  trx: ApplicationsDb,
  claim: Claim,
  action: AppAction,
  ctx: RequestContext,
): Promise<AppRow> {
  const { app, operationId } = claim;
  await refuseAfterUnfinishedDelete(trx, claim, action);
  const update = action === "update" ? updateDefinition(catalog, app) : undefined;
  await emit(
    trx,
    Events.AppActionRequested,
    {
      operationId,
      appId: app.id,
      action: TO_PROTO[action]!,
      hostId: app.host_id,
      node: app.node,
      vmid: app.vmid ?? 0,
      adopted: app.adopted,
      compose: update?.compose ?? "",
      environment: update?.environment ?? {},
      secretEnvironment: update ? secretNames(app) : [],
      publicPort: app.public_port ?? 0,
    },
    app,
    ctx.traceparent,
  );
  return app;
}

/** What an update runs: the catalog's current compose file with the app's values (new plain defaults applied). */
function updateDefinition(
  catalog: Catalog,
  app: AppRow,
): { compose: string; environment: Record<string, string> } {
  const item = catalogItemOf(catalog, app, "updated");
  const plainDefs = item.environment.filter((d) => !d.secret);
  const resolved = resolveEnvironment(plainDefs, app.environment);
  if (resolved.problems.length > 0) {
    const fields = resolved.problems.map((p) => p.field.replace(/^environment\./, "")).join(", ");
    throw new ConflictError(
      `Cannot update the app: the catalog's current version needs settings it does not have (${fields})`,
    );
  }
  return { compose: item.compose, environment: resolved.plain };
}

function catalogItemOf(catalog: Catalog, app: AppRow, verb: string): CatalogItem {
  const item = catalog.get(app.catalog_id);
  if (!item)
    throw new ConflictError(
      `The catalog no longer has ${app.catalog_id || "this app"}; it cannot be ${verb}`,
    );
  return item;
}
