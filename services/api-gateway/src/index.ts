/** The api-gateway: Proximity's public REST door (sessions, API tokens, users) over the services' gRPC. */

export type { GatewayConfig } from "./config.js";
export { gatewayConfigSchema, loadGatewayConfig } from "./config.js";
export { gatewayMigrations } from "./db/migrations/index.js";
export type { HttpDeps } from "./http/deps.js";
export { buildOpenApiDocument } from "./http/openapi-document.js";
export { buildHttpApp } from "./http/server.js";
export { RATE_LIMIT_BUCKET_SUFFIX, rateLimitBucket } from "./rate-limit/rate-limit-bucket.js";
export type { GatewayDeps, GatewayStarted } from "./service.js";
export { createGatewayService } from "./service.js";
