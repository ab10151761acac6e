import { randomUUID } from "node:crypto";
import { type handleUnaryCall, status } from "@grpc/grpc-js";
import { NotFoundError, type ProximityError } from "@proximity/errors";
import { createGrpcServer, createHandlerFactory, type EndUser, type ServiceKeys } from "@proximity/grpc";
import type { Logger } from "@proximity/logger";
import { applicationsV1 } from "@proximity/proto";

const { AppStatus } = applicationsV1;

export interface ArchiveCall {
  readonly method: "begin" | "restoreIntoNewApp" | "abandon" | "getApp";
  readonly user: EndUser | undefined;
  readonly caller: string;
  // biome-ignore lint/suspicious/noExplicitAny: requests of several types, asserted field by field
  readonly request: any;
}

/** A claim the fake holds (taken by BeginArchiveOperation or RestoreIntoNewApp, not abandoned). */
export interface HeldClaim {
  /** The app claimed (for a restore into a new app: the new app). */
  readonly appId: string;
  readonly kind: string;
  readonly backupId: string;
  readonly deadline: Date;
}

/**
 * The applications service as far as backups uses it, over real gRPC with real service
 * authentication (backups may speak for end users here, as in the real service). It does NOT
 * serialise operations: two concurrent claims of one app both succeed, so tests show that the
 * backups service's own constraints hold even then. Apps are visible to their owner and admins.
 * Like the real one, it answers a repeated claim (same operation id) with the claim already made,
 * gives each operation a deadline, and ignores the abandon of an operation it does not hold.
 */
export interface FakeApplications {
  readonly address: string;
  readonly apps: Map<string, applicationsV1.App>;
  /** Apps deleted (admins only may restore from them into a new app). */
  readonly deleted: Set<string>;
  /** Errors thrown for an app id by BeginArchiveOperation (e.g. a ConflictError: ABORTED). */
  readonly refusals: Map<string, ProximityError>;
  /**
   * Lost answers, by app id (the source app for RestoreIntoNewApp): the claim is taken, and the
   * client is answered with this error instead (e.g. UNAVAILABLE), as when a reply is lost.
   */
  readonly lostAnswers: Map<string, ProximityError>;
  /** Claims held, by operation id. */
  readonly claims: Map<string, HeldClaim>;
  readonly calls: ArchiveCall[];
  /** Delay of every claim, so that concurrent requests overlap. */
  delayMs: number;
  /** How long an operation may run: its deadline is this long after the claim. */
  deadlineMs: number;
  /** A running app on host-a/pve1 owned by `ownerId`. */
  addApp(ownerId: string, patch?: Partial<applicationsV1.App>): applicationsV1.App;
  stop(): Promise<void>;
}

function unimplemented<Req, Res>(name: string): handleUnaryCall<Req, Res> {
  return (_call, callback) => callback({ code: status.UNIMPLEMENTED, details: `${name} is not faked` });
}

let nextVmid = 100;

export async function startFakeApplications(keys: ServiceKeys, logger: Logger): Promise<FakeApplications> {
  const h = createHandlerFactory({ keys, logger, userTrustedCallers: ["api-gateway", "backups"] });
  const apps = new Map<string, applicationsV1.App>();
  const deleted = new Set<string>();
  const refusals = new Map<string, ProximityError>();
  const lostAnswers = new Map<string, ProximityError>();
  const claims = new Map<string, HeldClaim>();
  const calls: ArchiveCall[] = [];
  const state = { delayMs: 0, deadlineMs: 2 * 3_600_000 };
  /** Records a claim (or finds the same one made before) and answers it, unless its answer is lost. */
  const claim = (operationId: string, held: Omit<HeldClaim, "deadline">, answerLostFor: string) => {
    const before = claims.get(operationId);
    const made = before ?? { ...held, deadline: new Date(Date.now() + state.deadlineMs) };
    claims.set(operationId, made);
    const lost = lostAnswers.get(answerLostFor);
    if (lost) throw lost;
    return made;
  };
  const visible = (appId: string, user: EndUser | undefined, allowDeleted = false) => {
    const app = apps.get(appId);
    if (!app || !user || (!user.isAdmin && app.ownerId !== user.id)) throw new NotFoundError("App not found");
    if (deleted.has(appId) && !(allowDeleted && user.isAdmin)) throw new NotFoundError("App not found");
    return app;
  };
  const only = { callers: ["backups"] };
  const implementation = {
    ...Object.fromEntries(
      Object.keys(applicationsV1.ApplicationsServiceService).map((name) => [name, unimplemented(name)]),
    ),
    beginArchiveOperation: h.unary<
      applicationsV1.BeginArchiveOperationRequest,
      applicationsV1.BeginArchiveOperationResponse
    >("BeginArchiveOperation", only, async (request, ctx) => {
      calls.push({ method: "begin", user: ctx.user, caller: ctx.caller, request });
      const app = visible(request.appId, ctx.user);
      const refusal = refusals.get(request.appId);
      if (refusal) throw refusal;
      if (state.delayMs > 0) await new Promise((r) => setTimeout(r, state.delayMs));
      const { deadline } = claim(
        request.operationId,
        { appId: app.id, kind: request.kind, backupId: request.backupId },
        app.id,
      );
      const after = request.kind === "restore" ? { ...app, status: AppStatus.APP_STATUS_RESTORING } : app;
      return { app: { ...after, currentOperation: request.kind }, statusBefore: app.status, deadline };
    }),
    restoreIntoNewApp: h.unary<
      applicationsV1.RestoreIntoNewAppRequest,
      applicationsV1.RestoreIntoNewAppResponse
    >("RestoreIntoNewApp", only, async (request, ctx) => {
      calls.push({ method: "restoreIntoNewApp", user: ctx.user, caller: ctx.caller, request });
      const source = visible(request.sourceAppId, ctx.user, true);
      const refusal = refusals.get(request.sourceAppId);
      if (refusal) throw refusal;
      const app = applicationsV1.App.fromPartial({
        ...source,
        id: randomUUID(),
        ownerId: ctx.user?.id ?? "",
        hostname: request.newHostname,
        hostId: request.hostId,
        node: request.node,
        vmid: 0,
        port: 30_000 + apps.size,
        status: AppStatus.APP_STATUS_RESTORING,
        currentOperation: "restore",
      });
      apps.set(app.id, app);
      const { deadline } = claim(
        request.operationId,
        { appId: app.id, kind: "restore", backupId: request.backupId },
        request.sourceAppId,
      );
      return { app, deadline };
    }),
    getApp: h.unary<applicationsV1.GetAppRequest, applicationsV1.GetAppResponse>(
      "GetApp",
      { callers: ["api-gateway", "backups"] },
      async (request, ctx) => {
        calls.push({ method: "getApp", user: ctx.user, caller: ctx.caller, request });
        return { app: visible(request.id, ctx.user) };
      },
    ),
    abandonArchiveOperation: h.unary<
      applicationsV1.AbandonArchiveOperationRequest,
      applicationsV1.AbandonArchiveOperationResponse
    >("AbandonArchiveOperation", only, async (request, ctx) => {
      calls.push({ method: "abandon", user: ctx.user, caller: ctx.caller, request });
      claims.delete(request.operationId);
      return {};
    }),
  } as applicationsV1.ApplicationsServiceServer;
  const server = createGrpcServer({
    logger,
    keys,
    host: "127.0.0.1",
    port: 0,
    services: [
      {
        name: "proximity.applications.v1.ApplicationsService",
        definition: applicationsV1.ApplicationsServiceService,
        implementation,
      },
    ],
  });
  const port = await server.start();
  server.setServing(true);
  return Object.assign(state, {
    address: `127.0.0.1:${port}`,
    apps,
    deleted,
    refusals,
    lostAnswers,
    claims,
    calls,
    addApp(ownerId: string, patch: Partial<applicationsV1.App> = {}) {
      const app = applicationsV1.App.fromPartial({
        id: randomUUID(),
        ownerId,
        catalogId: "wordpress",
        hostname: `app-${apps.size}`,
        status: AppStatus.APP_STATUS_RUNNING,
        hostId: "host-a",
        node: "pve1",
        vmid: nextVmid++,
        port: 30_000 + apps.size,
        secrets: { DB_PASSWORD: true },
        ...patch,
      });
      apps.set(app.id, app);
      return app;
    },
    stop: () => server.shutdown(1_000),
  });
}
