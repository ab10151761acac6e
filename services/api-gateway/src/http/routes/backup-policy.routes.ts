import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { requireAppAccess } from "../app-access.js";
import type { HttpDeps } from "../deps.js";
import { callOptions, required, requireUuid } from "../request-helpers.js";
import {
  answeredPolicyJson,
  backupPolicyJson,
  toUpdateBackupPolicyRequest,
  updateBackupPolicyBody,
} from "../schemas/backup-policy.schema.js";
import { idParams } from "../schemas/common.schema.js";

const tags = ["backups"];

/** An app's backup schedule and retention; non-admins are shown the app first (others' apps are 404). */
export function backupPolicyRoutes(deps: HttpDeps): FastifyPluginAsyncZod {
  const { backups } = deps.clients;
  return async (app) => {
    app.get(
      "/api/apps/:id/backup-policy",
      {
        schema: {
          tags,
          summary: "The app's backup schedule and retention",
          params: idParams,
          response: { 200: backupPolicyJson },
        },
      },
      async (request) => {
        const appId = requireUuid(request.params.id);
        await requireAppAccess(deps.clients, request, appId);
        const { policy } = await backups.getBackupPolicy({ appId }, callOptions(request));
        return answeredPolicyJson(policy);
      },
    );

    app.put(
      "/api/apps/:id/backup-policy",
      {
        schema: {
          tags,
          summary: "Change the app's backup schedule and retention",
          description:
            "Fields left out keep their current values (a new app starts disabled, `0 3 * * *` UTC, " +
            "snapshot, zstd, keep_last 7). " +
            "Retention (Proxmox prune semantics; all keep_* 0 keeps every archive) applies to scheduled " +
            "backups only; manual backups stay until deleted. An invalid cron expression or time zone is " +
            "400 naming the field.",
          params: idParams,
          body: updateBackupPolicyBody,
          response: { 200: backupPolicyJson },
        },
      },
      async (request) => {
        const appId = requireUuid(request.params.id);
        await requireAppAccess(deps.clients, request, appId);
        const { policy: current } = await backups.getBackupPolicy({ appId }, callOptions(request));
        const { policy } = await backups.updateBackupPolicy(
          toUpdateBackupPolicyRequest(required(current, "a backup policy"), request.body),
          callOptions(request),
        );
        return answeredPolicyJson(policy);
      },
    );
  };
}
