import { PermissionDeniedError } from "@proximity/errors";
import type { FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { HttpDeps } from "../deps.js";
import { callOptions, principalOf, requireUuid } from "../request-helpers.js";
import { answeredAppJson, appJson } from "../schemas/app.schema.js";
import {
  actionAppJson,
  appActionBody,
  BACKUP_FATES,
  cloneAppBody,
  deleteAppQuery,
  deletedAppJson,
} from "../schemas/app-lifecycle.schema.js";
import { idParams } from "../schemas/common.schema.js";

/**
 * The life cycle of an app: actions, delete, clone. Each answers 202 with the app in its new
 * in-flight status; progress is in the logs and the event stream. The applications service
 * decides ownership (others' apps are 404) and which transitions are valid (409 with the reason).
 */
export function appActionsRoutes(deps: HttpDeps): FastifyPluginAsyncZod {
  const { applications } = deps.clients;
  return async (app) => {
    const deleteApp = async (
      request: FastifyRequest,
      appId: string,
      options: { destroyContainer: boolean; backups: keyof typeof BACKUP_FATES },
    ) => {
      if (options.destroyContainer && !principalOf(request).isAdmin) {
        throw new PermissionDeniedError(
          "Only admins may set destroy_container (it destroys the container of an adopted app)",
        );
      }
      const res = await applications.deleteApp(
        {
          appId,
          destroyContainer: options.destroyContainer,
          deleteBackups: options.backups === "delete",
        },
        callOptions(request),
      );
      return { ...answeredAppJson(res.app), backups: BACKUP_FATES[options.backups] };
    };

    app.post(
      "/api/apps/:id/action",
      {
        schema: {
          tags: ["apps"],
          summary: "Start, stop, restart, update, retry (a failed deploy) or delete an app (202)",
          description:
            "`delete` is DELETE /api/apps/{id} with its defaults (backups kept, adopted containers detached).",
          params: idParams,
          body: appActionBody,
          response: { 202: actionAppJson },
        },
      },
      async (request, reply) => {
        const appId = requireUuid(request.params.id);
        const { action } = request.body;
        if (action === "delete") {
          const deleted = await deleteApp(request, appId, { destroyContainer: false, backups: "keep" });
          return reply.code(202).send(deleted);
        }
        const res = await applications.requestAppAction({ appId, action }, callOptions(request));
        return reply.code(202).send(answeredAppJson(res.app));
      },
    );

    app.delete(
      "/api/apps/:id",
      {
        schema: {
          tags: ["apps"],
          summary: "Delete an app: its container, published port and secrets go (202)",
          description:
            "`backups=keep` (default) keeps the app's backups, `backups=delete` deletes them with the app. " +
            "`destroy_container=true` (admins only) also destroys an adopted app's container, which is " +
            "otherwise only detached; containers Proximity deployed are always destroyed.",
          params: idParams,
          querystring: deleteAppQuery,
          response: { 202: deletedAppJson },
        },
      },
      async (request, reply) => {
        const appId = requireUuid(request.params.id);
        const { backups, destroy_container } = request.query;
        const deleted = await deleteApp(request, appId, { destroyContainer: destroy_container, backups });
        return reply.code(202).send(deleted);
      },
    );

    app.post(
      "/api/apps/:id/clone",
      {
        schema: {
          tags: ["apps"],
          summary: "Clone an app into a new one you own (202 with the new app)",
          params: idParams,
          body: cloneAppBody,
          response: { 202: appJson },
        },
      },
      async (request, reply) => {
        const res = await applications.cloneApp(
          { appId: requireUuid(request.params.id), newHostname: request.body.new_hostname },
          callOptions(request),
        );
        return reply.code(202).send(answeredAppJson(res.app));
      },
    );
  };
}
