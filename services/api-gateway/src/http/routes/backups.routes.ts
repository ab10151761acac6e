import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { HttpDeps } from "../deps.js";
import { callOptions, requireUuid } from "../request-helpers.js";
import { idParams, isoOrNull } from "../schemas/common.schema.js";

const backupPolicyJson = z.object({
  app_id: z.string(),
  enabled: z.boolean(),
  schedule: z.string(),
  keep_last: z.number().int(),
  updated_at: z.string().nullable(),
});

/**
 * Backup policies. The backups service does not know who owns an app: the applications service
 * (GetApp as the caller) decides first, so others' apps are 404 before the backups service is asked.
 * Only reading is backed so far.
 */
export function backupsRoutes(deps: HttpDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      "/api/apps/:id/backup-policy",
      {
        schema: {
          tags: ["backups"],
          summary: "The app's backup schedule and retention",
          params: idParams,
          response: { 200: backupPolicyJson },
        },
      },
      async (request) => {
        const appId = requireUuid(request.params.id);
        await deps.clients.applications.getApp({ id: appId }, callOptions(request));
        const { policy } = await deps.clients.backups.getBackupPolicy({ appId }, callOptions(request));
        if (!policy) throw new Error("GetBackupPolicy answered without a policy");
        return {
          app_id: policy.appId,
          enabled: policy.enabled,
          schedule: policy.schedule,
          keep_last: policy.keepLast,
          updated_at: isoOrNull(policy.updatedAt),
        };
      },
    );
  };
}
