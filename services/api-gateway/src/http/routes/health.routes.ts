import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { sql } from "kysely";
import { z } from "zod";
import type { DependencyState } from "../../health-probe.js";
import type { HttpDeps } from "../deps.js";

const state = z.enum(["ok", "down"]);
const healthJson = z.object({
  status: z.enum(["ok", "degraded"]),
  checks: z.object({ database: state, applications: state, hosts: state }),
});

/** Liveness and dependency status, public, with nothing but up/down per dependency. */
export function healthRoutes(deps: HttpDeps): FastifyPluginAsyncZod {
  const database = async (): Promise<DependencyState> => {
    try {
      await sql`select 1`.execute(deps.db);
      return "ok";
    } catch {
      return "down";
    }
  };
  return async (app) => {
    app.get(
      "/api/health",
      {
        config: { access: "public", rateLimit: false },
        schema: {
          tags: ["health"],
          summary: "Gateway and dependency health",
          response: { 200: healthJson, 503: healthJson },
        },
      },
      async (_request, reply) => {
        const [db, applications, hosts] = await Promise.all([
          database(),
          deps.probes.applications.check(),
          deps.probes.hosts.check(),
        ]);
        const checks = { database: db, applications, hosts };
        const ok = Object.values(checks).every((s) => s === "ok");
        return reply.code(ok ? 200 : 503).send({ status: ok ? "ok" : "degraded", checks });
      },
    );
  };
}
