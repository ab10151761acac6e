import { randomUUID } from "node:crypto";
import { resolveEnvironment } from "@proximity/app-env";
import { Events } from "@proximity/bus";
import { isUniqueViolation } from "@proximity/db";
import {
  AlreadyExistsError,
  ConflictError,
  type FieldError,
  PermissionDeniedError,
  ValidationError,
} from "@proximity/errors";
import type { EndUser } from "@proximity/grpc";
import type { Logger } from "@proximity/logger";
import type { Catalog } from "../catalog/catalog.js";
import type { CatalogItem } from "../catalog/catalog-item.js";
import { findAppByIdempotencyKey, insertAppWithOperation } from "../db/app.repository.js";
import { AppConstraints, type AppRow } from "../db/apps.table.js";
import type { ApplicationsDb } from "../db/database.js";
import { hostnameProblem } from "../domain/app-input.js";
import { deploysRequested } from "../metrics.js";
import { appEvent } from "./app-events.js";
import { deleteAppSecrets, putAppSecrets, type SecretStore } from "./app-secrets.js";
import { deployRequest } from "./deploy-request.js";
import type { LifeCycleSettings } from "./life-cycle-settings.js";
import {
  allocatePublicPort,
  assertPlacementOpen,
  HostRetiredError,
  QuotaReachedError,
  reserveQuota,
} from "./placement-guards.js";
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
  readonly secrets: SecretStore;
  readonly settings: LifeCycleSettings;
}

export interface DeployAppContext {
  readonly owner: EndUser;
  readonly traceparent: string;
  readonly log: Logger;
}

const IDEMPOTENCY_KEY_MAX = 255;

interface ValidDeployment {
  readonly item: CatalogItem;
  readonly plain: Record<string, string>;
  readonly secret: Record<string, string>;
}

/**
 * Records a new app as `deploying` and requests its deployment from the provisioner. Secret values
 * go to the secrets service first (under the app id chosen here), so the provisioner finds them;
 * the app, its operation, quota slot, port, first log line and the AppDeployRequested event then
 * commit together (outbox). If that transaction fails the secrets are deleted again. Uniqueness
 * (hostname, idempotency key), quota and ports are decided by the database, not by prior checks.
 */
export async function deployApp(
  deps: DeployAppDeps,
  command: DeployAppCommand,
  ctx: DeployAppContext,
): Promise<AppRow> {
  // Placement is the admins' (the gateway checks it too; the owner of the data checks again).
  if ((command.hostId || command.node) && !ctx.owner.isAdmin) {
    throw new PermissionDeniedError("Only admins may choose the host or node");
  }
  const valid = validateDeployCommand(command, deps.catalog);
  const placement = await resolvePlacement(deps.hosts, command, ctx.traceparent);
  const appId = randomUUID();
  await putAppSecrets(deps.secrets, appId, valid.secret, ctx.traceparent, ctx.log);
  try {
    const app = await recordOnOpenHost(deps, appId, command, valid, placement, ctx);
    ctx.log.info({ appId: app.id, operationId: app.current_operation_id }, "deployment requested");
    deploysRequested.inc();
    return app;
  } catch (err) {
    await deleteAppSecrets(deps.secrets, appId, Object.keys(valid.secret), ctx.traceparent, ctx.log);
    // A retry of a deploy that took the user's last slot meets the quota first: it gets its app too.
    if (!isUniqueViolation(err) && !(err instanceof QuotaReachedError)) throw err;
    return earlierDeployment(deps.db, command, ctx.owner, err);
  }
}

function validateDeployCommand(command: DeployAppCommand, catalog: Catalog): ValidDeployment {
  const problems: FieldError[] = [];
  const item = catalog.get(command.catalogId);
  if (!item) problems.push({ field: "catalog_id", message: "unknown catalog item" });
  const hostname = hostnameProblem(command.hostname);
  if (hostname) problems.push({ field: "hostname", message: hostname });
  const env = resolveEnvironment(item?.environment ?? [], command.environment);
  problems.push(...env.problems);
  if (command.idempotencyKey.length > IDEMPOTENCY_KEY_MAX) {
    problems.push({ field: "idempotency_key", message: `must be at most ${IDEMPOTENCY_KEY_MAX} characters` });
  }
  if (!item || problems.length > 0) throw new ValidationError("Invalid deployment request", problems);
  return { item, plain: env.plain, secret: env.secret };
}

/** name → whether a value was given, for every secret variable the item declares. */
function secretFlags(item: CatalogItem, secret: Record<string, string>): Record<string, boolean> {
  return Object.fromEntries(item.environment.filter((d) => d.secret).map((d) => [d.name, d.name in secret]));
}

/**
 * Records the deployment where `placement` says. An automatic placement (no host named) may have
 * followed an answer shared by this replica's placements and older than the host's retirement
 * (app/shared-placements.ts): refused for that, it forgets the answer and asks once more.
 */
async function recordOnOpenHost(
  deps: DeployAppDeps,
  appId: string,
  command: DeployAppCommand,
  valid: ValidDeployment,
  placement: Placement,
  ctx: DeployAppContext,
): Promise<AppRow> {
  try {
    return await recordDeployment(deps, appId, command, valid, placement, ctx);
  } catch (err) {
    if (!(err instanceof HostRetiredError) || command.hostId || !deps.hosts.forget) throw err;
    const wanted = { hostId: command.hostId, node: command.node };
    deps.hosts.forget(wanted);
    const again = await resolvePlacement(deps.hosts, wanted, ctx.traceparent);
    return recordDeployment(deps, appId, command, valid, again, ctx);
  }
}

async function recordDeployment(
  deps: DeployAppDeps,
  appId: string,
  command: DeployAppCommand,
  { item, plain, secret }: ValidDeployment,
  placement: Placement,
  ctx: DeployAppContext,
): Promise<AppRow> {
  const operationId = randomUUID();
  return deps.db.transaction().execute(async (trx) => {
    await assertPlacementOpen(trx, placement.hostId, {
      ownerId: ctx.owner.id,
      defaultMax: deps.settings.quotaDefault,
    });
    const inserted = await insertAppWithOperation(
      trx,
      {
        id: appId,
        owner_id: ctx.owner.id,
        catalog_id: item.id,
        hostname: command.hostname,
        status: "deploying",
        host_id: placement.hostId,
        node: placement.node,
        vmid: null,
        port: item.port,
        ip_address: null,
        environment: JSON.stringify(plain),
        secret_env: JSON.stringify(secretFlags(item, secret)),
        current_operation_id: operationId,
        current_operation: "deploy",
        idempotency_key: command.idempotencyKey || null,
      },
      {
        id: operationId,
        kind: "deploy",
        requestedBy: ctx.owner.id,
        deadlineMs: deps.settings.deadlinesMs.deploy,
      },
      {
        level: "info",
        step: "requested",
        message: `Deployment of ${item.name} ${item.version} requested on ${placement.node}`,
      },
    );
    const publicPort = await allocatePublicPort(trx, placement.hostId, appId, deps.settings.portRange);
    const app = { ...inserted.app, public_port: publicPort };
    // Last: the quota row is the one row a user's placements share; it is held only until the
    // commit. The same statement records AppDeployRequested.
    await reserveQuota(
      trx,
      ctx.owner.id,
      deps.settings.quotaDefault,
      appEvent(
        Events.AppDeployRequested,
        deployRequest(app, item, operationId, inserted.deadlineAt),
        app,
        ctx.traceparent,
      ),
    );
    return app;
  });
}

/**
 * After a unique violation or a reached quota: a retry with the same idempotency key gets the app
 * the first request created (whichever check refused it first, since a retry also repeats the
 * hostname and counts against the quota again); otherwise the hostname is taken, or the refusal
 * stands.
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
