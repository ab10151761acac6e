import cookie from "@fastify/cookie";
import Fastify, { type FastifyBaseLogger, LogController } from "fastify";
import { serializerCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import type { HttpDeps } from "./deps.js";
import type { GatewayApp } from "./fastify-types.js";
import { installRequestAudit } from "./plugins/audit.js";
import { installAuthentication } from "./plugins/authentication.js";
import { installCsrfProtection } from "./plugins/csrf.js";
import { installErrorHandling } from "./plugins/error-handler.js";
import { installJsonBodyParser } from "./plugins/json-body.js";
import { installOpenApi } from "./plugins/openapi.js";
import { installRateLimit } from "./plugins/rate-limit.js";
import { installRequestContext, requestIdFrom } from "./plugins/request-context.js";
import { installSecurityHeaders } from "./plugins/security-headers.js";
import { adoptionRoutes } from "./routes/adoption.routes.js";
import { appActionsRoutes } from "./routes/app-actions.routes.js";
import { appEventsRoutes } from "./routes/app-events.routes.js";
import { appsRoutes } from "./routes/apps.routes.js";
import { authRoutes } from "./routes/auth.routes.js";
import { backupPolicyRoutes } from "./routes/backup-policy.routes.js";
import { backupsRoutes } from "./routes/backups.routes.js";
import { catalogRoutes } from "./routes/catalog.routes.js";
import { healthRoutes } from "./routes/health.routes.js";
import { hostsRoutes } from "./routes/hosts.routes.js";
import { tokensRoutes } from "./routes/tokens.routes.js";
import { usersRoutes } from "./routes/users.routes.js";
import { createStreamRegistry } from "./sse/stream-registry.js";
import { validatorCompiler } from "./validation.js";

/** Request bodies above this are refused with 413 (the API's bodies are small JSON documents). */
const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * Builds the gateway's fastify app (not listening; `app.inject` or `app.listen`). onRequest hooks
 * run in registration order: cookies → request context → rate limit → authentication → CSRF, all
 * before body validation and handlers, so a refused request reaches no service.
 */
export async function buildHttpApp(deps: HttpDeps): Promise<GatewayApp> {
  const app = Fastify({
    // @proximity/logger and fastify may resolve different pino builds; the runtime API is the same.
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Fastify's own request lines would include the URL; request-context.ts logs a safer one.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: "requestId" }),
    genReqId: requestIdFrom,
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: deps.trustProxy,
    return503OnClosing: true,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  installErrorHandling(app);
  installJsonBodyParser(app);
  await installSecurityHeaders(app);
  await app.register(cookie);
  installRequestContext(app);
  installRateLimit(app, deps.rateLimitPerMinute);
  installAuthentication(app, deps.db, deps.sessions);
  installCsrfProtection(app);
  installRequestAudit(app, deps.db);
  await installOpenApi(app);

  // Open event streams would keep fastify's close waiting for their connections: end them first.
  const streams = createStreamRegistry(deps.eventStreams.maxPerUser);
  app.addHook("preClose", async () => streams.closeAll());

  for (const routes of [
    healthRoutes,
    authRoutes,
    tokensRoutes,
    usersRoutes,
    catalogRoutes,
    appsRoutes,
    appActionsRoutes,
    adoptionRoutes,
    backupsRoutes,
    backupPolicyRoutes,
    hostsRoutes,
  ]) {
    await app.register(routes(deps));
  }
  await app.register(appEventsRoutes(deps, streams));
  await app.ready();
  return app;
}
