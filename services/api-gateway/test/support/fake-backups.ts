import { randomUUID } from "node:crypto";
import { ConflictError, NotFoundError, PermissionDeniedError, ValidationError } from "@proximity/errors";
import type { CallContext } from "@proximity/grpc";
import { applicationsV1, type backupsV1 } from "@proximity/proto";
import type { Behaviour, FakeAppStore } from "./fake-applications.js";
import { sampleBackup } from "./samples.js";

type Backup = backupsV1.Backup;
type Policy = backupsV1.BackupPolicy;

/**
 * The fake backups service's state. Like the real service it checks ownership itself: a user
 * reaches only backups of live apps they own (the fake applications store says who owns what and
 * which apps are gone); an admin reaches every backup, also of deleted apps.
 */
export interface FakeBackupStore {
  /** Stores a backup (completed unless said otherwise) of an app and returns it. */
  seed(overrides: Partial<Backup> & { appId: string; ownerId: string }): Backup;
  get(id: string): Backup | undefined;
  all(): Backup[];
  remove(id: string): void;
  /** Policies set through UpdateBackupPolicy (absent = the default policy). */
  readonly policies: Map<string, Policy>;
  clear(): void;
}

export function createFakeBackupStore(): FakeBackupStore {
  const backups = new Map<string, Backup>();
  const policies = new Map<string, Policy>();
  return {
    seed(overrides) {
      const backup = sampleBackup(overrides);
      backups.set(backup.id, backup);
      return backup;
    },
    get: (id) => backups.get(id),
    all: () => [...backups.values()],
    remove: (id) => backups.delete(id),
    policies,
    clear: () => {
      backups.clear();
      policies.clear();
    },
  };
}

function callerOf(ctx: CallContext): { id: string; isAdmin: boolean } {
  if (!ctx.user) throw new PermissionDeniedError("An end user is required");
  return ctx.user;
}

/** A crude stand-in for the real cron parser: five fields of cron characters. */
const CRON = /^[0-9*/,-]+( [0-9*/,-]+){4}$/;

export function defaultPolicy(appId: string): Policy {
  return {
    appId,
    enabled: true,
    schedule: "0 3 * * *",
    timeZone: "UTC",
    mode: "snapshot",
    compression: "zstd",
    keepLast: 7,
    keepHourly: 0,
    keepDaily: 0,
    keepWeekly: 0,
    keepMonthly: 0,
    keepYearly: 0,
    nextRunAt: new Date(Date.now() + 3_600_000),
    updatedAt: new Date(),
  };
}

/** The fake BackupsService RPCs, answering from the backup store and the fake applications' apps. */
export function backupsBehaviours(store: FakeBackupStore, apps: FakeAppStore): Record<string, Behaviour> {
  const { policies } = store;
  const isLive = (appId: string) => apps.get(appId) !== undefined;
  const shown = (b: Backup): Backup => ({ ...b, appDeleted: !isLive(b.appId) });

  /** A live app the caller owns, or any live app for an admin; NOT_FOUND otherwise. */
  const liveApp = (appId: string, ctx: CallContext) => {
    const caller = callerOf(ctx);
    const app = apps.get(appId);
    if (!app || (!caller.isAdmin && app.ownerId !== caller.id)) throw new NotFoundError("App not found");
    return app;
  };
  const visibleBackup = (appId: string, backupId: string, ctx: CallContext): Backup => {
    const caller = callerOf(ctx);
    const backup = store.get(backupId);
    const owned = backup && isLive(backup.appId) && apps.get(backup.appId)?.ownerId === caller.id;
    if (!backup || backup.appId !== appId || !(caller.isAdmin || owned)) {
      throw new NotFoundError("Backup not found");
    }
    return backup;
  };
  const put = (backup: Backup): Backup => {
    store.seed(backup);
    return shown(backup);
  };

  return {
    createBackup: async (req: backupsV1.CreateBackupRequest, ctx) => {
      const app = liveApp(req.appId, ctx);
      if (app.currentOperation)
        throw new ConflictError(`Another operation is running: ${app.currentOperation}`);
      apps.update(app.id, { currentOperation: "backup" });
      const backup = store.seed({
        appId: app.id,
        ownerId: app.ownerId,
        mode: req.mode || "snapshot",
        compression: req.compression || "zstd",
        storage: req.storage,
        status: "running",
        volid: "",
        sizeBytes: 0,
        completedAt: undefined,
        restorable: false,
        appHostname: app.hostname,
        appCatalogId: app.catalogId,
      });
      return { backup: shown(backup) };
    },
    listBackups: async (req: backupsV1.ListBackupsRequest, ctx) => {
      const caller = callerOf(ctx);
      const items = store
        .all()
        .filter((b) => caller.isAdmin || (isLive(b.appId) && apps.get(b.appId)?.ownerId === caller.id))
        .filter((b) => !req.appId || b.appId === req.appId)
        .filter((b) => !req.status || b.status === req.status)
        .filter((b) => req.appDeleted === undefined || req.appDeleted === !isLive(b.appId))
        .sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0));
      const start = (req.page - 1) * req.perPage;
      return {
        items: items.slice(start, start + req.perPage).map(shown),
        total: items.length,
        page: req.page,
        perPage: req.perPage,
      };
    },
    getBackup: async (req: backupsV1.GetBackupRequest, ctx) => ({
      backup: shown(visibleBackup(req.appId, req.backupId, ctx)),
    }),
    deleteBackup: async (req: backupsV1.DeleteBackupRequest, ctx) => {
      const backup = visibleBackup(req.appId, req.backupId, ctx);
      if (backup.status === "running") throw new ConflictError("The backup is still running");
      if (backup.restoring) throw new ConflictError("A restore from this backup is running");
      if (backup.status === "completed") {
        return { backup: put({ ...backup, status: "deleting", restorable: false }) };
      }
      // Failed or missing: no archive on a storage, the record goes at once.
      store.remove(backup.id);
      return { backup: { ...shown(backup), status: "deleted", restorable: false } };
    },
    restoreBackup: async (req: backupsV1.RestoreBackupRequest, ctx) => {
      const backup = visibleBackup(req.appId, req.backupId, ctx);
      if (backup.status !== "completed" || backup.restoring) {
        throw new ConflictError("Only a completed backup can be restored");
      }
      if (!req.newHostname && !isLive(backup.appId)) {
        throw new ConflictError("The app was deleted: restore into a new app");
      }
      const claimed = put({ ...backup, restoring: true, restorable: false });
      if (req.newHostname) {
        const app = apps.seed({
          ownerId: callerOf(ctx).id,
          hostname: req.newHostname,
          status: applicationsV1.AppStatus.APP_STATUS_RESTORING,
          currentOperation: "restore",
        });
        return { backup: claimed, targetAppId: app.id, operationId: randomUUID(), newApp: true };
      }
      apps.update(backup.appId, {
        status: applicationsV1.AppStatus.APP_STATUS_RESTORING,
        currentOperation: "restore",
      });
      return { backup: claimed, targetAppId: backup.appId, operationId: randomUUID(), newApp: false };
    },
    getBackupPolicy: async (req: backupsV1.GetBackupPolicyRequest, ctx) => {
      liveApp(req.appId, ctx);
      return { policy: policies.get(req.appId) ?? defaultPolicy(req.appId) };
    },
    updateBackupPolicy: async (req: backupsV1.UpdateBackupPolicyRequest, ctx) => {
      liveApp(req.appId, ctx);
      const problems = [];
      if (!CRON.test(req.schedule)) {
        problems.push({ field: "schedule", message: "must be a cron expression of 5 fields" });
      }
      if (!Intl.supportedValuesOf("timeZone").includes(req.timeZone) && req.timeZone !== "UTC") {
        problems.push({
          field: "time_zone",
          message: "must be a time zone name such as Europe/Berlin or UTC",
        });
      }
      if (problems.length) throw new ValidationError("Invalid backup policy", problems);
      const { appId: _appId, ...fields } = req;
      const policy: Policy = {
        ...defaultPolicy(req.appId),
        ...fields,
        nextRunAt: req.enabled ? new Date(Date.now() + 3_600_000) : undefined,
        updatedAt: new Date(),
      };
      policies.set(req.appId, policy);
      return { policy };
    },
  };
}
