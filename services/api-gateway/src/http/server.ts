import cookie from "@fastify/cookie";
import { type Logger, lazyChild } from "@proximity/logger";
import Fastify, { type FastifyBaseLogger, LogController } from "fastify";
import { serializerCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import type { HttpDeps } from "./deps.js";
import type { GatewayApp } from "./fastify-types.js";
import { installRequestAudit } from "./plugins/audit.js";
import { installAuthentication } from "./plugins/authentication.js";
import { installCsrfProtection } from "./plugins/csrf.js";
import { handleFrameworkError, installErrorHandling } from "./plugins/error-handler.js";
import { installJsonBodyParser } from "./plugins/json-body.js";
import { installOpenApi } from "./plugins/openapi.js";
import { installRateLimits } from "./plugins/rate-limit.js";
import { installRequestContext, requestIdFrom } from "./plugins/request-context.js";
import { installRequestMetrics } from "./plugins/request-metrics.js";
import { installSecurityHeaders } from "./plugins/security-headers.js";
import { installWebConsole, loadWebConsole, serveConsolePage } from "./plugins/web-console.js";
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
import { passwordRoutes } from "./routes/password.routes.js";
import { sessionsRoutes } from "./routes/sessions.routes.js";
import { tokensRoutes } from "./routes/tokens.routes.js";
import { usersRoutes } from "./routes/users.routes.js";
import { createStreamRegistry } from "./sse/stream-registry.js";
import { fastifyTrustProxy } from "./trust-proxy.js";
import { validatorCompiler } from "./validation.js";

/**
 * Builds the gateway's fastify app (not listening; `app.inject` or `app.listen`). onRequest hooks
 * run in registration order: cookies → request context → rate limit per address → authentication
 * → rate limit per user → CSRF, all
 * before body validation and handlers, so a refused request reaches no service.
 */
export async function buildHttpApp(deps: HttpDeps): Promise<GatewayApp> {
  const app = Fastify({
    // @proximity/logger and fastify may resolve different pino builds; the runtime API is the same.
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Request loggers made when first used, so the request id, trace id (request-context.ts) and
    // user id (authentication.ts) make one pino child, not three (~3 % of the gateway's busy time,
    // profiled); the lines are the same.
    childLoggerFactory: (logger, bindings, options) =>
      lazyChild(logger as Logger, bindings, options) as FastifyBaseLogger,
    // Fastify's own request lines would include the URL; request-context.ts logs a safer one.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: "requestId" }),
    genReqId: requestIdFrom,
    // Timeouts and limits of the public port (config.ts HTTP_*). requestTimeout covers receiving a
    // request only, so long-lived responses (event streams) are not cut by it.
    bodyLimit: deps.http.bodyLimitBytes,
    requestTimeout: deps.http.requestTimeoutMs,
    connectionTimeout: deps.http.connectionTimeoutMs,
    keepAliveTimeout: deps.http.keepAliveTimeoutMs,
    maxRequestsPerSocket: deps.http.maxRequestsPerSocket,
    http: {
      headersTimeout: deps.http.headersTimeoutMs,
      // How often node checks the two timeouts above (its default, 30 s, would let a slow client
      // overstay by that much).
      connectionsCheckingInterval: Math.min(1_000, deps.http.headersTimeoutMs),
    },
    trustProxy: fastifyTrustProxy(deps.trustProxy),
    return503OnClosing: true,
    // Bad percent-encoding and over-long path parameters answer `{"detail"}` like every error.
    frameworkErrors: handleFrameworkError,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const site = deps.webConsole ? await loadWebConsole(deps.webConsole) : undefined;
  installErrorHandling(app, site && ((request, reply) => serveConsolePage(site, request, reply)));
  installJsonBodyParser(app);
  installSecurityHeaders(app);
  await app.register(cookie);
  installRequestContext(app, deps.tracer);
  installRequestMetrics(app);
  const rateLimits = await installRateLimits(app, deps.rateLimit);
  installAuthentication(app, deps);
  rateLimits.installPerUser();
  installCsrfProtection(app);
  installRequestAudit(app, deps.db);
  await installOpenApi(app);

  // Open event streams would keep fastify's close waiting for their connections: end them first.
  const streams = createStreamRegistry(deps.eventStreams.maxPerUser);
  app.addHook("preClose", async () => streams.closeAll());

  for (const routes of [
    healthRoutes,
    authRoutes,
    sessionsRoutes,
    passwordRoutes,
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
  if (site) await installWebConsole(app, site);
  if (site) app.log.info({ dir: site.dir }, "web console served at /");
  else if (deps.webConsole) {
    app.log.warn({ dir: deps.webConsole.dir }, "web console not built: run pnpm build to serve it at /");
  }
  await app.ready();
  app.server.maxConnections = deps.http.maxConnections;
  return app;
}
