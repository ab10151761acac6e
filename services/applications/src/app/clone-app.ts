import { randomUUID } from "node:crypto";
import { Events } from "@proximity/bus";
import { isUniqueViolation } from "@proximity/db";
import { AlreadyExistsError, ValidationError } from "@proximity/errors";
import { insertAppWithOperation } from "../db/app.repository.js";
import { AppConstraints, type AppRow } from "../db/apps.table.js";
import { appendLog } from "../db/deployment-log.repository.js";
import { hostnameProblem } from "../domain/app-input.js";
import { appEvent } from "./app-events.js";
import { withClaimedApp } from "./claim-app.js";
import { secretNames } from "./deploy-request.js";
import type { LifeCycleDeps, RequestContext } from "./life-cycle-deps.js";
import { allocatePublicPort, assertPlacementOpen, reserveQuota } from "./placement-guards.js";

export interface CloneAppCommand {
  readonly appId: string;
  readonly newHostname: string;
}

/**
 * A copy of an app the user may see (running or stopped), owned by the user, on the same host and
 * node, with the same settings and secret names (the provisioner copies the values). The source
 * keeps running but is locked by the clone's operation until the result arrives, so it cannot be
 * stopped, updated or deleted while its disk is copied. The clone counts against the user's quota
 * and gets its own published port.
 */
export async function cloneApp(
  deps: LifeCycleDeps,
  command: CloneAppCommand,
  ctx: RequestContext,
): Promise<AppRow> {
  const problem = hostnameProblem(command.newHostname);
  if (problem)
    throw new ValidationError("Invalid clone request", [{ field: "new_hostname", message: problem }]);
  try {
    const clone = await withClaimedApp(
      deps.db,
      command.appId,
      ctx.user,
      "clone",
      async (trx, { app: source, operationId }) => {
        await assertPlacementOpen(trx, source.host_id, {
          ownerId: ctx.user.id,
          defaultMax: deps.settings.quotaDefault,
        });
        const cloneId = randomUUID();
        const requested = `Clone of ${source.hostname} into ${command.newHostname} requested`;
        const { app: inserted } = await insertAppWithOperation(
          trx,
          {
            id: cloneId,
            owner_id: ctx.user.id,
            catalog_id: source.catalog_id,
            hostname: command.newHostname,
            status: "cloning",
            host_id: source.host_id,
            node: source.node,
            vmid: null,
            port: source.port,
            ip_address: null,
            environment: JSON.stringify(source.environment),
            secret_env: JSON.stringify(source.secret_env),
            current_operation_id: operationId,
            current_operation: "clone",
            adopted: source.adopted,
            idempotency_key: null,
          },
          {
            id: operationId,
            sourceAppId: source.id,
            kind: "clone",
            requestedBy: ctx.user.id,
            deadlineMs: deps.settings.deadlinesMs.clone,
          },
          { level: "info", step: "requested", message: requested },
        );
        // Adopted containers publish their own port; only deployed apps take one from the pool.
        const publicPort = source.adopted
          ? null
          : await allocatePublicPort(trx, source.host_id, inserted.id, deps.settings.portRange);
        const clone = { ...inserted, public_port: publicPort };
        await appendLog(trx, {
          appId: source.id,
          level: "info",
          step: "clone-requested",
          message: requested,
        });
        // Last: the quota row is the one row a user's placements share; it is held only until the
        // commit. The same statement records AppCloneRequested.
        await reserveQuota(
          trx,
          ctx.user.id,
          deps.settings.quotaDefault,
          appEvent(
            Events.AppCloneRequested,
            {
              operationId,
              sourceAppId: source.id,
              appId: clone.id,
              ownerId: clone.owner_id,
              hostId: clone.host_id,
              node: clone.node,
              sourceVmid: source.vmid ?? 0,
              hostname: clone.hostname,
              publicPort: publicPort ?? 0,
              secretEnvironment: secretNames(source),
              adopted: source.adopted,
            },
            clone,
            ctx.traceparent,
          ),
        );
        return clone;
      },
    );
    ctx.log.info(
      { appId: clone.id, sourceAppId: command.appId, operationId: clone.current_operation_id },
      "clone requested",
    );
    return clone;
  } catch (err) {
    if (isUniqueViolation(err, AppConstraints.liveHostname)) {
      throw new AlreadyExistsError(`Hostname ${command.newHostname} is already in use`, err);
    }
    throw err;
  }
}
