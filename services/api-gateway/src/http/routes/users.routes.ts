import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { createUser } from "../../app/create-user.js";
import { deleteUser } from "../../app/delete-user.js";
import { getUser, listUserPage } from "../../app/find-users.js";
import { updateUser } from "../../app/update-user.js";
import { fieldDiff } from "../../domain/field-diff.js";
import { userSnapshot } from "../audit-snapshots.js";
import type { HttpDeps } from "../deps.js";
import { recordChanges } from "../plugins/audit.js";
import { callOptions, principalOf, requireUuid } from "../request-helpers.js";
import { originOf } from "../request-origin.js";
import { idParams, noContent, pageOf, pageQuery } from "../schemas/common.schema.js";
import { quotaJson, setQuotaBody, toQuotaJson } from "../schemas/quota.schema.js";
import { createUserBody, toUserJson, updateUserBody, userJson } from "../schemas/user.schema.js";

/** Account administration and app quotas (admins only). */
export function usersRoutes(deps: HttpDeps): FastifyPluginAsyncZod {
  return async (app) => {
    const admin = { access: "admin" } as const;

    app.get(
      "/api/users",
      {
        config: admin,
        schema: {
          tags: ["users"],
          summary: "List users",
          querystring: pageQuery,
          response: { 200: pageOf(userJson) },
        },
      },
      async (request) => {
        const { page, per_page } = request.query;
        const { items, total } = await listUserPage(deps.db, page, per_page);
        return { items: items.map(toUserJson), total, page, per_page };
      },
    );

    app.post(
      "/api/users",
      {
        config: admin,
        schema: {
          tags: ["users"],
          summary: "Create a user",
          body: createUserBody,
          response: { 201: userJson },
        },
      },
      async (request, reply) => {
        const { username, password, is_admin } = request.body;
        const user = await createUser(deps.db, { username, password, isAdmin: is_admin });
        recordChanges(request, fieldDiff(null, userSnapshot(user), ["password"]));
        return reply.code(201).send(toUserJson(user));
      },
    );

    app.get(
      "/api/users/:id",
      {
        config: admin,
        schema: { tags: ["users"], summary: "Get a user", params: idParams, response: { 200: userJson } },
      },
      async (request) => toUserJson(await getUser(deps.db, requireUuid(request.params.id))),
    );

    app.patch(
      "/api/users/:id",
      {
        config: admin,
        schema: {
          tags: ["users"],
          summary:
            "Change password, admin rights or active state (a new password or deactivating ends the user's sessions and tokens)",
          description:
            "A new password ends every session of the user and revokes every API token. Your own password " +
            "needs `current_password` and a signed-in session (which stays), as POST /api/auth/password.",
          params: idParams,
          body: updateUserBody,
          response: { 200: userJson },
        },
      },
      async (request) => {
        const { password, current_password, is_admin, is_active } = request.body;
        const { before, after } = await updateUser(
          deps.db,
          deps.sessions,
          principalOf(request),
          requireUuid(request.params.id),
          { password, currentPassword: current_password, isAdmin: is_admin, isActive: is_active },
          originOf(request),
        );
        const secrets = password === undefined ? [] : ["password"];
        recordChanges(request, fieldDiff(userSnapshot(before), userSnapshot(after), secrets));
        return toUserJson(after);
      },
    );

    app.delete(
      "/api/users/:id",
      {
        config: admin,
        schema: { tags: ["users"], summary: "Delete a user", params: idParams, response: { 204: noContent } },
      },
      async (request, reply) => {
        const deleted = await deleteUser(
          deps.db,
          principalOf(request),
          requireUuid(request.params.id),
          async (userId) => {
            const { quota } = await deps.clients.applications.getUserQuota({ userId }, callOptions(request));
            return quota?.used ?? 0;
          },
        );
        recordChanges(request, fieldDiff(userSnapshot(deleted), null));
        return reply.code(204).send(null);
      },
    );

    // Users live here, quotas in the applications service: the user must exist before it is asked.
    app.get(
      "/api/users/:id/quota",
      {
        config: admin,
        schema: {
          tags: ["users"],
          summary: "A user's app quota and how much of it is used",
          params: idParams,
          response: { 200: quotaJson },
        },
      },
      async (request) => {
        const user = await getUser(deps.db, requireUuid(request.params.id));
        const { quota } = await deps.clients.applications.getUserQuota(
          { userId: user.id },
          callOptions(request),
        );
        return toQuotaJson(quota);
      },
    );

    app.put(
      "/api/users/:id/quota",
      {
        config: admin,
        schema: {
          tags: ["users"],
          summary: "Set a user's app quota (max_apps 0 = back to the configured default)",
          params: idParams,
          body: setQuotaBody,
          response: { 200: quotaJson },
        },
      },
      async (request) => {
        const user = await getUser(deps.db, requireUuid(request.params.id));
        const { quota } = await deps.clients.applications.setUserQuota(
          { userId: user.id, maxApps: request.body.max_apps },
          callOptions(request),
        );
        return toQuotaJson(quota);
      },
    );
  };
}
