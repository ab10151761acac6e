import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance, RouteOptions } from "fastify";
import { jsonSchemaTransform } from "fastify-type-provider-zod";
import type { Access } from "../../domain/access.js";
import { SESSION_COOKIE } from "../cookies.js";

type TransformInput = Parameters<typeof jsonSchemaTransform>[0] & { route: RouteOptions };

/**
 * The zod → OpenAPI transform, plus each operation's security requirement and an `x-access`
 * extension (public | user | admin) taken from the route's access level, so the document says
 * who may call what and tests can walk the route table from it.
 */
function transform(input: TransformInput) {
  const out = jsonSchemaTransform(input);
  const schema = out.schema as Record<string, unknown>;
  if (schema.hide) return out;
  const access: Access = input.route.config?.access ?? "user";
  const security = access === "public" ? [] : [{ sessionCookie: [] }, { bearerAuth: [] }];
  return { ...out, schema: { ...schema, security, "x-access": access } };
}

/** OpenAPI 3.1 at GET /api/openapi.json and the interactive docs at /api/docs (both public). */
export async function installOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: { title: "Proximity API", version: "1.0.0", description: "Public REST API of Proximity." },
      components: {
        securitySchemes: {
          sessionCookie: { type: "apiKey", in: "cookie", name: SESSION_COOKIE },
          bearerAuth: { type: "http", scheme: "bearer", description: "API token: pxm_<id>_<secret>" },
        },
      },
    },
    transform: transform as never,
  });
  await app.register(async (docs) => {
    docs.addHook("onRoute", (route) => {
      route.config = { ...route.config, access: "public" };
    });
    await docs.register(swaggerUi, { routePrefix: "/api/docs", staticCSP: true });
  });
  app.get("/api/openapi.json", { schema: { hide: true }, config: { access: "public" } }, async () =>
    app.swagger(),
  );
}
