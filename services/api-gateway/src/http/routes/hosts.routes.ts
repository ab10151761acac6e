import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { fieldDiff } from "../../domain/field-diff.js";
import { hostCredentialsSet, hostSnapshot } from "../audit-snapshots.js";
import type { HttpDeps } from "../deps.js";
import { recordChanges } from "../plugins/audit.js";
import { callOptions, requireUuid } from "../request-helpers.js";
import { idParams, noContent, pageOf, pageQuery, paginate } from "../schemas/common.schema.js";
import {
  createHostBody,
  hostCheckJson,
  hostJson,
  nodeJson,
  nodesQuery,
  toCreateHostRequest,
  toHostJson,
  toNodeJson,
  toUpdateHostRequest,
  updateHostBody,
} from "../schemas/host.schema.js";

function requireHost<T>(host: T | undefined): T {
  if (!host) throw new Error("the hosts service answered without a host");
  return host;
}

/** Proxmox hosts and nodes (admins only). Credentials are write-only. */
export function hostsRoutes(deps: HttpDeps): FastifyPluginAsyncZod {
  const { hosts } = deps.clients;
  const admin = { access: "admin" } as const;
  return async (app) => {
    app.get(
      "/api/proxmox/hosts",
      {
        config: admin,
        schema: {
          tags: ["proxmox"],
          summary: "List hosts",
          querystring: pageQuery,
          response: { 200: pageOf(hostJson) },
        },
      },
      async (request) => {
        const { items } = await hosts.listHosts({}, callOptions(request));
        return paginate(items.map(toHostJson), request.query.page, request.query.per_page);
      },
    );

    app.post(
      "/api/proxmox/hosts",
      {
        config: admin,
        schema: {
          tags: ["proxmox"],
          summary: "Register a host (credentials are stored by the secrets service, never returned)",
          body: createHostBody,
          response: { 201: hostJson },
        },
      },
      async (request, reply) => {
        const { host } = await hosts.createHost(toCreateHostRequest(request.body), callOptions(request));
        const created = toHostJson(requireHost(host));
        recordChanges(request, fieldDiff(null, hostSnapshot(created), hostCredentialsSet(request.body)));
        return reply.code(201).send(created);
      },
    );

    app.get(
      "/api/proxmox/hosts/:id",
      {
        config: admin,
        schema: { tags: ["proxmox"], summary: "Get a host", params: idParams, response: { 200: hostJson } },
      },
      async (request) => {
        const { host } = await hosts.getHost({ id: requireUuid(request.params.id) }, callOptions(request));
        return toHostJson(requireHost(host));
      },
    );

    app.put(
      "/api/proxmox/hosts/:id",
      {
        config: admin,
        schema: {
          tags: ["proxmox"],
          summary: "Change a host (name and auth mode are fixed; credentials given replace the stored ones)",
          params: idParams,
          body: updateHostBody,
          response: { 200: hostJson },
        },
      },
      async (request) => {
        const id = requireUuid(request.params.id);
        // Read first for the audit's before/after (the hosts service keeps its own change history).
        const before = toHostJson(requireHost((await hosts.getHost({ id }, callOptions(request))).host));
        const { host } = await hosts.updateHost(toUpdateHostRequest(id, request.body), callOptions(request));
        const after = toHostJson(requireHost(host));
        recordChanges(
          request,
          fieldDiff(hostSnapshot(before), hostSnapshot(after), hostCredentialsSet(request.body)),
        );
        return after;
      },
    );

    // Both ask the provisioner to check the host: one check tests the connection and refreshes
    // the nodes, so the two routes share it; the result lands on GET /api/proxmox/hosts/{id}.
    for (const [suffix, summary] of [
      ["test", "Test the connection to a host (asynchronous)"],
      ["sync-nodes", "Refresh a host's nodes and their figures (asynchronous)"],
    ] as const) {
      app.post(
        `/api/proxmox/hosts/:id/${suffix}`,
        {
          config: admin,
          schema: { tags: ["proxmox"], summary, params: idParams, response: { 202: hostCheckJson } },
        },
        async (request, reply) => {
          const { checkId } = await hosts.checkHost(
            { id: requireUuid(request.params.id) },
            callOptions(request),
          );
          return reply.code(202).send({ check_id: checkId });
        },
      );
    }

    app.delete(
      "/api/proxmox/hosts/:id",
      {
        config: admin,
        schema: {
          tags: ["proxmox"],
          summary: "Delete a host no app uses",
          params: idParams,
          response: { 204: noContent },
        },
      },
      async (request, reply) => {
        const id = requireUuid(request.params.id);
        const before = toHostJson(requireHost((await hosts.getHost({ id }, callOptions(request))).host));
        await hosts.deleteHost({ id }, callOptions(request));
        recordChanges(request, fieldDiff(hostSnapshot(before), null));
        return reply.code(204).send(null);
      },
    );

    app.get(
      "/api/proxmox/nodes",
      {
        config: admin,
        schema: {
          tags: ["proxmox"],
          summary: "List nodes (of one host with ?host_id=)",
          querystring: pageQuery.extend(nodesQuery.shape),
          response: { 200: pageOf(nodeJson) },
        },
      },
      async (request) => {
        const { host_id = "", page, per_page } = request.query;
        const { items } = await hosts.listNodes({ hostId: host_id }, callOptions(request));
        return paginate(items.map(toNodeJson), page, per_page);
      },
    );
  };
}
