import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance, RouteOptions } from "fastify";
import { jsonSchemaTransform } from "fastify-type-provider-zod";
import { z } from "zod";
import { type Access, isUnsafeMethod } from "../../domain/access.js";
import { SESSION_COOKIE } from "../cookies.js";
import { errorBody } from "../schemas/common.schema.js";

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
  return { ...out, schema: { ...schema, ...streamResponse(schema), security, "x-access": access } };
}

/**
 * An event stream's 200 as what it is (`text/event-stream`, a text body), so clients and tests
 * reading the document can tell a long-lived stream from a JSON answer.
 */
function streamResponse(schema: Record<string, unknown>): { response?: Record<string, unknown> } {
  const produces = schema.produces as string[] | undefined;
  if (!produces?.includes("text/event-stream")) return {};
  const response = schema.response as Record<string, unknown> | undefined;
  return {
    response: { ...response, 200: { type: "string", description: "A stream of server-sent events" } },
  };
}

/** The one error body of the API (error-handler.ts), as the reusable `Error` schema. */
const { $schema: _dialect, ...ERROR_SCHEMA } = z.toJSONSchema(errorBody);

const errorContent = { "application/json": { schema: { $ref: "#/components/schemas/Error" } } };

/** The standard error responses, by status, under components.responses. */
const ERROR_RESPONSES: Record<string, { name: string; description: string; headers?: object }> = {
  "400": { name: "BadRequest", description: "Invalid input: `errors` lists the fields" },
  "401": { name: "Unauthorized", description: "Not signed in, or the session or token is not valid" },
  "403": {
    name: "Forbidden",
    description:
      "Not allowed: admin route, missing or invalid X-CSRF-Token (cookie sessions, unsafe methods), " +
      "or an API token without the needed scope",
  },
  "404": { name: "NotFound", description: "Not found, or not yours (a path id that is not a UUID too)" },
  "409": {
    name: "Conflict",
    description: "Conflict: duplicate, invalid state transition (with the reason) or operation running",
  },
  "413": { name: "PayloadTooLarge", description: "Request body over 64 KiB" },
  "414": { name: "PathTooLong", description: "A path parameter over 100 characters" },
  "415": { name: "UnsupportedMediaType", description: "A request body that is not application/json" },
  "429": {
    name: "TooManyRequests",
    description: "Rate limited; retry after `Retry-After` seconds",
    headers: { "Retry-After": { description: "Seconds to wait", schema: { type: "integer" } } },
  },
  "503": { name: "ServiceUnavailable", description: "A dependency is unavailable; retry later" },
};

interface Operation {
  parameters?: { in: string }[];
  requestBody?: unknown;
  responses?: Record<string, unknown>;
  security?: Record<string, string[]>[];
  "x-access"?: Access;
}

/**
 * The error statuses an operation can answer, from the route's properties: 400 with input or on
 * unsafe methods (a body can be sent to any of them), 401/403 unless public, 404 and 414 with a
 * path id, 409 for life-cycle writes (unsafe, not public, not the caller's own auth routes), 413
 * and 415 on unsafe methods, and 429/503 everywhere.
 */
function errorStatusesOf(method: string, path: string, op: Operation): string[] {
  const statuses: string[] = [];
  const access = op["x-access"] ?? "user";
  const hasBody = op.requestBody !== undefined;
  if (hasBody || (op.parameters?.length ?? 0) > 0 || isUnsafeMethod(method)) statuses.push("400");
  if (access !== "public") statuses.push("401", "403");
  if (path.includes("{")) statuses.push("404", "414");
  if (isUnsafeMethod(method) && access !== "public" && !path.startsWith("/api/auth/")) statuses.push("409");
  if (isUnsafeMethod(method)) statuses.push("413", "415");
  statuses.push("429", "503");
  return statuses;
}

interface JsonSchema {
  type?: unknown;
  anyOf?: JsonSchema[];
}

interface JsonBody {
  required?: boolean;
  content?: Record<string, { schema?: JsonSchema }>;
}

/**
 * A body schema that also accepts null (zod `.nullish()`: the whole body may be left out) is shown
 * as what it is: an optional body of the object alternative. Other bodies are left as they are.
 */
function optionalBodyOf(requestBody: unknown): JsonBody | undefined {
  const body = requestBody as JsonBody | undefined;
  const alternatives = body?.content?.["application/json"]?.schema?.anyOf;
  if (!body || alternatives?.length !== 2 || !alternatives.some((a) => a.type === "null")) return undefined;
  const schema = alternatives.find((a) => a.type !== "null");
  return { ...body, required: false, content: { "application/json": { schema } } };
}

/**
 * Completes the document: the shared error schema and responses as components, each operation's
 * standard error responses as references (statuses a route documents itself are kept), and on
 * unsafe operations the cookie requirement joined by the X-CSRF-Token scheme, so "Try it out"
 * with a cookie session sends the token once it is entered under "Authorize".
 */
function transformObject({ openapiObject }: { openapiObject: Record<string, unknown> }) {
  const doc = openapiObject as {
    components?: Record<string, Record<string, unknown>>;
    paths?: Record<string, Record<string, Operation>>;
  };
  const components = { ...doc.components };
  components.schemas = { ...components.schemas, Error: ERROR_SCHEMA };
  components.responses = {
    ...components.responses,
    ...Object.fromEntries(
      Object.values(ERROR_RESPONSES).map(({ name, description, headers }) => [
        name,
        { description, content: errorContent, ...(headers ? { headers } : {}) },
      ]),
    ),
  };
  const paths: Record<string, Record<string, Operation>> = {};
  for (const [path, methods] of Object.entries(doc.paths ?? {})) {
    paths[path] = {};
    for (const [method, op] of Object.entries(methods)) {
      const responses = { ...op.responses };
      for (const status of errorStatusesOf(method, path, op)) {
        const standard = ERROR_RESPONSES[status];
        if (standard && !(status in responses)) {
          responses[status] = { $ref: `#/components/responses/${standard.name}` };
        }
      }
      // Cookie sessions must add X-CSRF-Token on unsafe methods: both schemes in one requirement.
      const csrf = isUnsafeMethod(method) && (op["x-access"] ?? "user") !== "public";
      const security = csrf ? [{ sessionCookie: [], csrfToken: [] }, { bearerAuth: [] }] : op.security;
      const requestBody = optionalBodyOf(op.requestBody);
      paths[path][method] = {
        ...op,
        ...(security ? { security } : {}),
        ...(requestBody ? { requestBody } : {}),
        responses,
      };
    }
  }
  return { ...openapiObject, components, paths };
}

/** OpenAPI 3.1 at GET /api/openapi.json and the interactive docs at /api/docs (both public). */
export async function installOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: { title: "Proximity API", version: "1.0.0", description: "Public REST API of Proximity." },
      components: {
        securitySchemes: {
          sessionCookie: {
            type: "apiKey",
            in: "cookie",
            name: SESSION_COOKIE,
            description: "Set by POST /api/auth/login; unsafe methods also need the X-CSRF-Token header",
          },
          csrfToken: {
            type: "apiKey",
            in: "header",
            name: "X-CSRF-Token",
            description: "The `csrf_token` of the login answer; cookie sessions need it on unsafe methods",
          },
          bearerAuth: { type: "http", scheme: "bearer", description: "API token: pxm_<id>_<secret>" },
        },
      },
    },
    transform: transform as never,
    transformObject: transformObject as never,
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
