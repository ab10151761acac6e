import { randomUUID } from "node:crypto";
import { NotFoundError, PermissionDeniedError, ValidationError } from "@proximity/errors";
import type { CallContext } from "@proximity/grpc";
import { applicationsV1 } from "@proximity/proto";
import { sampleApp, sampleCatalogItem } from "./samples.js";

type App = applicationsV1.App;
type Log = applicationsV1.DeploymentLog;
const S = applicationsV1.AppStatus;

/** What a fake RPC does: answer from the request and the caller, or throw a typed error. */
export type Behaviour = (request: never, ctx: CallContext) => Promise<unknown>;

/**
 * The fake applications service's state: apps with owners, their log lines and user quotas. Like
 * the real service it decides ownership: another user's app is NOT_FOUND, admins see every app.
 */
export interface FakeAppStore {
  /** Stores an app (owned by `ownerId`) and returns it. */
  seed(overrides: Partial<App> & { ownerId: string }): App;
  get(id: string): App | undefined;
  all(): App[];
  update(id: string, patch: Partial<App>): void;
  /** The app is gone: every RPC about it answers NOT_FOUND from now on. */
  remove(id: string): void;
  addLog(appId: string, line?: Partial<Pick<Log, "level" | "step" | "message">>): Log;
  logsOf(appId: string): Log[];
  /** Per-user quota values set through SetUserQuota (absent = the default). */
  readonly quotas: Map<string, number>;
  clear(): void;
}

export const DEFAULT_QUOTA = 10;

/** Containers the fake DiscoverContainers reports on any host. */
export const DISCOVERED = [
  {
    node: "pve1",
    vmid: 150,
    name: "legacy-wiki",
    status: "running",
    cores: 2,
    maxMemBytes: 2_147_483_648,
    maxDiskBytes: 8_589_934_592,
    tags: "wiki;prod",
  },
];

/** Status each life-cycle action moves an app to. */
const ACTION_STATUS: Record<string, applicationsV1.AppStatus> = {
  start: S.APP_STATUS_STARTING,
  stop: S.APP_STATUS_STOPPING,
  restart: S.APP_STATUS_RESTARTING,
  update: S.APP_STATUS_UPDATING,
  retry: S.APP_STATUS_DEPLOYING,
};

export function createFakeAppStore(): FakeAppStore {
  const apps = new Map<string, App>();
  const logs = new Map<string, Log[]>();
  const quotas = new Map<string, number>();
  let nextLogId = 1;
  return {
    seed(overrides) {
      const app = sampleApp(overrides);
      apps.set(app.id, app);
      return app;
    },
    get: (id) => apps.get(id),
    all: () => [...apps.values()],
    update(id, patch) {
      const app = apps.get(id);
      if (!app) throw new Error(`no fake app ${id}`);
      apps.set(id, { ...app, ...patch, updatedAt: new Date() });
    },
    remove(id) {
      apps.delete(id);
    },
    addLog(appId, line = {}) {
      const log: Log = {
        id: nextLogId++,
        appId,
        level: line.level ?? "info",
        step: line.step ?? "deploy",
        message: line.message ?? "working",
        createdAt: new Date(),
      };
      logs.set(appId, [...(logs.get(appId) ?? []), log]);
      return log;
    },
    logsOf: (appId) => logs.get(appId) ?? [],
    quotas,
    clear() {
      apps.clear();
      logs.clear();
      quotas.clear();
    },
  };
}

function callerOf(ctx: CallContext): { id: string; isAdmin: boolean } {
  if (!ctx.user) throw new PermissionDeniedError("An end user is required");
  return ctx.user;
}

function requireAdmin(ctx: CallContext): void {
  if (!callerOf(ctx).isAdmin) throw new PermissionDeniedError("Admin rights required");
}

/** The app when the caller may see it; NOT_FOUND otherwise (never reveal others' apps). */
function visibleApp(store: FakeAppStore, id: string, ctx: CallContext): App {
  const caller = callerOf(ctx);
  const app = store.get(id);
  if (!app || (!caller.isAdmin && app.ownerId !== caller.id)) throw new NotFoundError("App not found");
  return app;
}

function moved(store: FakeAppStore, app: App, patch: Partial<App>): { app: App } {
  store.update(app.id, patch);
  return { app: store.get(app.id)! };
}

/** Live apps a user owns, as the real quota counts them. */
function usedBy(store: FakeAppStore, userId: string): number {
  return store.all().filter((a) => a.ownerId === userId).length;
}

function quotaOf(store: FakeAppStore, userId: string): applicationsV1.UserQuota {
  const own = store.quotas.get(userId);
  return {
    userId,
    maxApps: own ?? DEFAULT_QUOTA,
    used: usedBy(store, userId),
    isDefault: own === undefined,
  };
}

/** The fake ApplicationsService RPCs, answering from the store. */
export function applicationsBehaviours(store: FakeAppStore): Record<string, Behaviour> {
  return {
    listCatalog: async () => ({ items: [sampleCatalogItem()] }),
    listCategories: async () => ({ categories: ["media", "tools"] }),
    getCatalogItem: async () => ({ item: sampleCatalogItem() }),
    reloadCatalog: async () => ({ count: 1 }),
    deployApp: async (req: applicationsV1.DeployAppRequest, ctx) => ({
      app: store.seed({
        hostname: req.hostname,
        catalogId: req.catalogId,
        ownerId: callerOf(ctx).id,
        environment: req.environment,
        currentOperation: "deploy",
      }),
    }),
    listApps: async (req: applicationsV1.ListAppsRequest, ctx) => {
      const caller = callerOf(ctx);
      const items = store
        .all()
        .filter((a) => caller.isAdmin || a.ownerId === caller.id)
        .filter((a) => !req.search || a.hostname.includes(req.search));
      const start = (req.page - 1) * req.perPage;
      return {
        items: items.slice(start, start + req.perPage),
        total: items.length,
        page: req.page,
        perPage: req.perPage,
        nextCursor: "",
      };
    },
    getApp: async (req: applicationsV1.GetAppRequest, ctx) => ({ app: visibleApp(store, req.id, ctx) }),
    listAppLogs: async (req: applicationsV1.ListAppLogsRequest, ctx) => {
      const app = visibleApp(store, req.appId, ctx);
      const window = store
        .logsOf(app.id)
        .filter((l) => l.id > req.afterId && (req.beforeId === 0 || l.id < req.beforeId));
      const limit = req.limit || 100;
      // Paging back from before_id alone reads the newest lines of the window; both oldest first.
      const items = req.beforeId !== 0 && req.afterId === 0 ? window.slice(-limit) : window.slice(0, limit);
      return { items, status: app.status, statusMessage: app.statusMessage };
    },
    countAppsOnHost: async () => ({ count: 0 }),
    requestAppAction: async (req: applicationsV1.RequestAppActionRequest, ctx) => {
      const app = visibleApp(store, req.appId, ctx);
      const status = ACTION_STATUS[req.action];
      if (status === undefined) throw new ValidationError(`Unknown action ${req.action}`);
      return moved(store, app, { status, currentOperation: req.action === "retry" ? "deploy" : req.action });
    },
    deleteApp: async (req: applicationsV1.DeleteAppRequest, ctx) => {
      const app = visibleApp(store, req.appId, ctx);
      if (req.destroyContainer) requireAdmin(ctx);
      return moved(store, app, { status: S.APP_STATUS_REMOVING, currentOperation: "delete" });
    },
    cloneApp: async (req: applicationsV1.CloneAppRequest, ctx) => {
      const source = visibleApp(store, req.appId, ctx);
      return {
        app: store.seed({
          ...source,
          id: randomUUID(),
          ownerId: callerOf(ctx).id,
          hostname: req.newHostname,
          status: S.APP_STATUS_CLONING,
          currentOperation: "clone",
          vmid: 0,
          ipAddress: "",
          accessUrl: "",
        }),
      };
    },
    discoverContainers: async (_req: applicationsV1.DiscoverContainersRequest, ctx) => {
      requireAdmin(ctx);
      return { items: DISCOVERED };
    },
    adoptApp: async (req: applicationsV1.AdoptAppRequest, ctx) => {
      requireAdmin(ctx);
      return {
        app: store.seed({
          ownerId: req.ownerId || callerOf(ctx).id,
          hostId: req.hostId,
          node: req.node,
          vmid: req.vmid,
          catalogId: req.catalogId,
          hostname: req.hostname || "adopted",
          status: S.APP_STATUS_ADOPTING,
          adopted: true,
          currentOperation: "adopt",
        }),
      };
    },
    getUserQuota: async (req: applicationsV1.GetUserQuotaRequest, ctx) => {
      requireAdmin(ctx);
      return { quota: quotaOf(store, req.userId) };
    },
    setUserQuota: async (req: applicationsV1.SetUserQuotaRequest, ctx) => {
      requireAdmin(ctx);
      if (req.maxApps === 0) store.quotas.delete(req.userId);
      else store.quotas.set(req.userId, req.maxApps);
      return { quota: quotaOf(store, req.userId) };
    },
  };
}
