import helmet from "@fastify/helmet";
import type { FastifyInstance } from "fastify";

/**
 * Security headers on every response (CSP, HSTS, nosniff, frame-ancestors…). The JSON API
 * needs no more than helmet's defaults; the docs UI sets its own CSP for its static assets.
 */
export async function installSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(helmet, { global: true });
}
