import { PermissionDeniedError } from "@proximity/errors";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { requireAppAccess } from "../app-access.js";
import type { HttpDeps } from "../deps.js";
import { callOptions, principalOf, requireUuid } from "../request-helpers.js";
import { answeredAppJson } from "../schemas/app.schema.js";
import {
  answeredBackupJson,
  backupJson,
  backupParams,
  createBackupBody,
  listAppBackupsQuery,
  listBackupsQuery,
  restoreBackupBody,
  restoreJson,
  toBackupJson,
} from "../schemas/backup.schema.js";
import { idParams, pageOf } from "../schemas/common.schema.js";

const tags = ["backups"];

/**
 * Backups of apps. Non-admins are shown the app first (requireAppAccess: others' apps are 404);
 * the backups service then checks ownership again in its own queries. Writes answer 202: the
 * backup, restore or deletion runs on the host and its progress is in the app's logs.
 */
export function backupsRoutes(deps: HttpDeps): FastifyPluginAsyncZod {
  const { applications, backups } = deps.clients;
  return async (app) => {
    app.get(
      "/api/backups",
      {
        schema: {
          tags,
          summary: "List your backups, newest first (admins: every backup, also of deleted apps)",
          querystring: listBackupsQuery,
          response: { 200: pageOf(backupJson) },
        },
      },
      async (request) => {
        const { app_id = "", status = "", app_deleted, page, per_page } = request.query;
        const res = await backups.listBackups(
          { appId: app_id.toLowerCase(), status, appDeleted: app_deleted, page, perPage: per_page },
          callOptions(request),
        );
        return { items: res.items.map(toBackupJson), total: res.total, page, per_page };
      },
    );

    app.get(
      "/api/apps/:id/backups",
      {
        schema: {
          tags,
          summary: "List the app's backups, newest first",
          params: idParams,
          querystring: listAppBackupsQuery,
          response: { 200: pageOf(backupJson) },
        },
      },
      async (request) => {
        const appId = requireUuid(request.params.id);
        await requireAppAccess(deps.clients, request, appId);
        const { status = "", page, per_page } = request.query;
        const res = await backups.listBackups(
          { appId, status, page, perPage: per_page },
          callOptions(request),
        );
        return { items: res.items.map(toBackupJson), total: res.total, page, per_page };
      },
    );

    app.post(
      "/api/apps/:id/backups",
      {
        schema: {
          tags,
          summary: "Back the app up now (202: the backup is running)",
          description:
            "Defaults: mode `snapshot`, compression `zstd`, the host's backup storage (only admins may " +
            "name another storage: 403 otherwise). " +
            "409 while another operation (backup, restore, life-cycle action) runs on the app.",
          params: idParams,
          body: createBackupBody,
          response: { 202: backupJson },
        },
      },
      async (request, reply) => {
        const appId = requireUuid(request.params.id);
        await requireAppAccess(deps.clients, request, appId);
        const body = request.body ?? {};
        // The storage is the admins' choice (a user could fill a node's root disk otherwise).
        if (body.storage && !principalOf(request).isAdmin) {
          throw new PermissionDeniedError("Only administrators may choose the backup storage");
        }
        const res = await backups.createBackup(
          { appId, mode: body.mode ?? "", compression: body.compression ?? "", storage: body.storage ?? "" },
          callOptions(request),
        );
        return reply.code(202).send(answeredBackupJson(res.backup));
      },
    );

    app.get(
      "/api/apps/:id/backups/:backup_id",
      { schema: { tags, summary: "Get a backup", params: backupParams, response: { 200: backupJson } } },
      async (request) => {
        const appId = requireUuid(request.params.id);
        const backupId = requireUuid(request.params.backup_id);
        await requireAppAccess(deps.clients, request, appId);
        const res = await backups.getBackup({ appId, backupId }, callOptions(request));
        return answeredBackupJson(res.backup);
      },
    );

    app.post(
      "/api/apps/:id/backups/:backup_id/restore",
      {
        schema: {
          tags,
          summary: "Restore a completed backup onto its app, or into a new app (202)",
          description:
            "Without `new_hostname` the app's container is stopped, replaced by the archive and started " +
            "again when it was running (data written since the backup is lost). With `new_hostname` a new " +
            "app you own is created from the archive (the source app is untouched). `app` is the app " +
            "being restored, in its new status.",
          params: backupParams,
          body: restoreBackupBody,
          response: { 202: restoreJson },
        },
      },
      async (request, reply) => {
        const appId = requireUuid(request.params.id);
        const backupId = requireUuid(request.params.backup_id);
        await requireAppAccess(deps.clients, request, appId);
        const res = await backups.restoreBackup(
          { appId, backupId, newHostname: request.body?.new_hostname ?? "" },
          callOptions(request),
        );
        const target = await applications.getApp({ id: res.targetAppId }, callOptions(request));
        return reply.code(202).send({
          backup: answeredBackupJson(res.backup),
          app: answeredAppJson(target.app),
          new_app: res.newApp,
        });
      },
    );

    app.delete(
      "/api/apps/:id/backups/:backup_id",
      {
        schema: {
          tags,
          summary: "Delete a backup and its archive (202: `deleting`, or `deleted` when no archive was left)",
          params: backupParams,
          response: { 202: backupJson },
        },
      },
      async (request, reply) => {
        const appId = requireUuid(request.params.id);
        const backupId = requireUuid(request.params.backup_id);
        await requireAppAccess(deps.clients, request, appId);
        const res = await backups.deleteBackup({ appId, backupId }, callOptions(request));
        return reply.code(202).send(answeredBackupJson(res.backup));
      },
    );
  };
}
