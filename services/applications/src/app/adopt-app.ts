import { randomUUID } from "node:crypto";
import { Events } from "@proximity/bus";
import { isUniqueViolation } from "@proximity/db";
import { AlreadyExistsError, type FieldError, ValidationError } from "@proximity/errors";
import { insertAppWithOperation, isContainerManaged } from "../db/app.repository.js";
import { AppConstraints, type AppRow } from "../db/apps.table.js";
import { hostnameProblem } from "../domain/app-input.js";
import { appEvent } from "./app-events.js";
import type { LifeCycleDeps, RequestContext } from "./life-cycle-deps.js";
import { assertPlacementOpen, reserveQuota } from "./placement-guards.js";
import { resolvePlacement } from "./resolve-placement.js";

export interface AdoptAppCommand {
  readonly hostId: string;
  readonly node: string;
  readonly vmid: number;
  /** "" = unknown type. */
  readonly catalogId: string;
  /** "" = the container's name as discovered, else ct-<vmid>. */
  readonly hostname: string;
  /** "" = the requesting admin. */
  readonly ownerId: string;
  /** Port the app listens on (for its access URL), 0 = none. */
  readonly port: number;
}

const OWNER_ID_MAX = 255;

/**
 * Takes an existing container under management (admins only, checked by the handler): the app is
 * recorded as `adopting` with its VMID, counted against the owner's quota, and the provisioner is
 * asked to inspect the container. The live (host_id, vmid) unique index refuses a container that
 * is already an app, so two concurrent adoptions of one container cannot both succeed.
 */
export async function adoptApp(
  deps: LifeCycleDeps,
  command: AdoptAppCommand,
  ctx: RequestContext,
): Promise<AppRow> {
  validateAdoption(deps, command);
  const placement = await resolvePlacement(
    deps.hosts,
    { hostId: command.hostId, node: command.node },
    ctx.traceparent,
  );
  const hostname = command.hostname || (await discoveredHostname(deps, command, ctx));
  const ownerId = command.ownerId || ctx.user.id;
  const appId = randomUUID();
  const operationId = randomUUID();
  try {
    const app = await deps.db.transaction().execute(async (trx) => {
      await assertPlacementOpen(trx, placement.hostId, {
        ownerId: ownerId,
        defaultMax: deps.settings.quotaDefault,
      });
      const { app } = await insertAppWithOperation(
        trx,
        {
          id: appId,
          owner_id: ownerId,
          catalog_id: command.catalogId,
          hostname,
          status: "adopting",
          host_id: placement.hostId,
          node: placement.node,
          vmid: command.vmid,
          port: command.port,
          ip_address: null,
          environment: "{}",
          current_operation_id: operationId,
          current_operation: "adopt",
          adopted: true,
          idempotency_key: null,
        },
        {
          id: operationId,
          kind: "adopt",
          requestedBy: ctx.user.id,
          deadlineMs: deps.settings.deadlinesMs.adopt,
        },
        {
          level: "info",
          step: "requested",
          message: `Adoption of container ${command.vmid} on ${placement.node} requested`,
        },
      );
      // Last: the quota row is the one row a user's placements share; it is held only until the
      // commit. The same statement records AppAdoptRequested.
      await reserveQuota(
        trx,
        ownerId,
        deps.settings.quotaDefault,
        appEvent(
          Events.AppAdoptRequested,
          { operationId, appId: app.id, hostId: app.host_id, node: app.node, vmid: command.vmid },
          app,
          ctx.traceparent,
        ),
      );
      return app;
    });
    ctx.log.info({ appId: app.id, vmid: command.vmid, operationId }, "adoption requested");
    return app;
  } catch (err) {
    // Two adoptions of one container may trip the hostname index first: name the real conflict.
    const containerTaken =
      isUniqueViolation(err, AppConstraints.liveHostVmid) ||
      (isUniqueViolation(err, AppConstraints.liveHostname) &&
        (await isContainerManaged(deps.db, placement.hostId, command.vmid)));
    if (containerTaken) {
      throw new AlreadyExistsError(
        `Container ${command.vmid} on this host is already managed by Proximity`,
        err,
      );
    }
    if (isUniqueViolation(err, AppConstraints.liveHostname)) {
      throw new AlreadyExistsError(`Hostname ${hostname} is already in use`, err);
    }
    throw err;
  }
}

function validateAdoption(deps: LifeCycleDeps, command: AdoptAppCommand): void {
  const problems: FieldError[] = [];
  if (!command.hostId) problems.push({ field: "host_id", message: "is required" });
  if (!command.node) problems.push({ field: "node", message: "is required" });
  if (!Number.isInteger(command.vmid) || command.vmid < 100) {
    problems.push({ field: "vmid", message: "must be a container id (100 or more)" });
  }
  if (command.catalogId && !deps.catalog.get(command.catalogId)) {
    problems.push({ field: "catalog_id", message: "unknown catalog item" });
  }
  const hostname = command.hostname ? hostnameProblem(command.hostname) : undefined;
  if (hostname) problems.push({ field: "hostname", message: hostname });
  if (command.ownerId.length > OWNER_ID_MAX) problems.push({ field: "owner_id", message: "is too long" });
  if (!Number.isInteger(command.port) || command.port < 0 || command.port > 65535) {
    problems.push({ field: "port", message: "must be between 0 and 65535" });
  }
  if (problems.length > 0) throw new ValidationError("Invalid adoption request", problems);
}

/** The container's own name when it is a valid hostname, else ct-<vmid> (also when discovery fails). */
async function discoveredHostname(
  deps: LifeCycleDeps,
  command: AdoptAppCommand,
  ctx: RequestContext,
): Promise<string> {
  const fallback = `ct-${command.vmid}`;
  try {
    const { items } = await deps.provisioner.listHostContainers(
      { hostId: command.hostId },
      { traceparent: ctx.traceparent },
    );
    const name = items.find((c) => c.node === command.node && c.vmid === command.vmid)?.name.toLowerCase();
    return name && !hostnameProblem(name) ? name : fallback;
  } catch (err) {
    ctx.log.warn(
      { err, hostId: command.hostId, vmid: command.vmid },
      "container name not discovered; using the default",
    );
    return fallback;
  }
}
