import helmet from "@fastify/helmet";
import type { FastifyInstance } from "fastify";

/** The interactive docs' pages and static assets: public, the same for everyone, fine to cache. */
const DOCS_PREFIX = "/api/docs";

function isDocsAsset(url: string): boolean {
  return url === DOCS_PREFIX || url.startsWith(`${DOCS_PREFIX}/`) || url.startsWith(`${DOCS_PREFIX}?`);
}

/**
 * Security headers on every response (CSP, HSTS, nosniff, frame-ancestors…), and
 * `Cache-Control: no-store` on every API answer (errors included): tokens, CSRF tokens, env and
 * account data must not stay in a browser or proxy cache (ASVS 8.2.1). Set first thing, so even
 * refusals carry it; a route may still set its own (event streams: no-cache).
 */
export async function installSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(helmet, { global: true });
  app.addHook("onRequest", async (request, reply) => {
    if (!isDocsAsset(request.url)) reply.header("cache-control", "no-store");
  });
}
