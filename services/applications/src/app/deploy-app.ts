import { randomUUID } from "node:crypto";
import { addToOutbox, Events, newTraceparent } from "@proximity/bus";
import { isUniqueViolation } from "@proximity/db";
import { AlreadyExistsError, ConflictError, type FieldError, ValidationError } from "@proximity/errors";
import type { EndUser } from "@proximity/grpc";
import type { Logger } from "@proximity/logger";
import type { Catalog } from "../catalog/catalog.js";
import type { CatalogItem } from "../catalog/catalog-item.js";
import { findAppByIdempotencyKey, insertApp } from "../db/app.repository.js";
import { AppConstraints, type AppRow } from "../db/apps.table.js";
import type { ApplicationsDb } from "../db/database.js";
import { appendLog } from "../db/deployment-log.repository.js";
import { environmentProblems, hostnameProblem } from "../domain/app-input.js";
import { type Placement, type PlacementClient, resolvePlacement } from "./resolve-placement.js";

export interface DeployAppCommand {
  readonly catalogId: string;
  readonly hostname: string;
  /** Empty: the hosts service chooses. */
  readonly hostId: string;
  readonly node: string;
  readonly environment: Readonly<Record<string, string>>;
  /** Empty: no idempotency. */
  readonly idempotencyKey: string;
}

export interface DeployAppDeps {
  readonly db: ApplicationsDb;
  readonly catalog: Catalog;
  readonly hosts: PlacementClient;
}

export interface DeployAppContext {
  readonly owner: EndUser;
  readonly traceparent: string;
  readonly log: Logger;
}

const IDEMPOTENCY_KEY_MAX = 255;

/**
 * Records a new app as `deploying` and requests its deployment from the provisioner. The app,
 * its first log line and the AppDeployRequested event commit together (outbox), so the request
 * is published if and only if the app exists. Uniqueness (hostname, idempotency key) is left to
 * the database constraints: concurrent requests cannot both pass a check that precedes an insert.
 */
export async function deployApp(
  deps: DeployAppDeps,
  command: DeployAppCommand,
  ctx: DeployAppContext,
): Promise<AppRow> {
  const item = validateDeployCommand(command, deps.catalog);
  const placement = await resolvePlacement(deps.hosts, command, ctx.traceparent);
  try {
    const app = await recordDeployment(deps.db, command, item, placement, ctx);
    ctx.log.info({ appId: app.id, operationId: app.current_operation_id }, "deployment requested");
    return app;
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    return earlierDeployment(deps.db, command, ctx.owner, err);
  }
}

function validateDeployCommand(command: DeployAppCommand, catalog: Catalog): CatalogItem {
  const problems: FieldError[] = [];
  const item = catalog.get(command.catalogId);
  if (!item) problems.push({ field: "catalog_id", message: "unknown catalog item" });
  const hostname = hostnameProblem(command.hostname);
  if (hostname) problems.push({ field: "hostname", message: hostname });
  problems.push(...environmentProblems(command.environment));
  if (command.idempotencyKey.length > IDEMPOTENCY_KEY_MAX) {
    problems.push({ field: "idempotency_key", message: `must be at most ${IDEMPOTENCY_KEY_MAX} characters` });
  }
  if (!item || problems.length > 0) throw new ValidationError("Invalid deployment request", problems);
  return item;
}

async function recordDeployment(
  db: ApplicationsDb,
  command: DeployAppCommand,
  item: CatalogItem,
  placement: Placement,
  ctx: DeployAppContext,
): Promise<AppRow> {
  const operationId = randomUUID();
  return db.transaction().execute(async (trx) => {
    const app = await insertApp(trx, {
      id: randomUUID(),
      owner_id: ctx.owner.id,
      catalog_id: item.id,
      hostname: command.hostname,
      status: "deploying",
      host_id: placement.hostId,
      node: placement.node,
      vmid: null,
      port: item.port,
      ip_address: null,
      environment: JSON.stringify(command.environment),
      current_operation_id: operationId,
      idempotency_key: command.idempotencyKey || null,
    });
    await appendLog(trx, {
      appId: app.id,
      level: "info",
      step: "requested",
      message: `Deployment of ${item.name} ${item.version} requested on ${placement.node}`,
    });
    await addToOutbox(
      trx,
      Events.AppDeployRequested,
      {
        operationId,
        appId: app.id,
        ownerId: app.owner_id,
        hostId: placement.hostId,
        node: placement.node,
        hostname: app.hostname,
        catalogId: item.id,
        compose: item.compose,
        environment: { ...command.environment },
        resources: { cores: item.cores, memoryMb: item.memoryMb, diskGb: item.diskGb },
        port: item.port,
        publicPort: 0,
        secretEnvironment: [],
      },
      { source: "applications", traceparent: ctx.traceparent || newTraceparent(), subject: app.id },
    );
    return app;
  });
}

/**
 * After a unique violation: a retry with the same idempotency key gets the app the first request
 * created (whichever constraint fired first, since a retry also repeats the hostname); otherwise
 * the hostname is taken.
 */
async function earlierDeployment(
  db: ApplicationsDb,
  command: DeployAppCommand,
  owner: EndUser,
  violation: unknown,
): Promise<AppRow> {
  if (command.idempotencyKey) {
    const earlier = await findAppByIdempotencyKey(db, owner.id, command.idempotencyKey);
    if (earlier) {
      if (earlier.catalog_id !== command.catalogId || earlier.hostname !== command.hostname) {
        throw new ConflictError("This idempotency key was already used for a different deployment");
      }
      return earlier;
    }
  }
  if (isUniqueViolation(violation, AppConstraints.liveHostname)) {
    throw new AlreadyExistsError(`Hostname ${command.hostname} is already in use`, violation);
  }
  throw violation;
}
