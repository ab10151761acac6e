import helmet from "@fastify/helmet";
import type { FastifyInstance } from "fastify";

/** The interactive docs' pages and static assets: public, the same for everyone, fine to cache. */
const DOCS_PREFIX = "/api/docs";

function isDocsAsset(url: string): boolean {
  return url === DOCS_PREFIX || url.startsWith(`${DOCS_PREFIX}/`) || url.startsWith(`${DOCS_PREFIX}?`);
}

/** HSTS as helmet words it by default: a year, subdomains included. */
const HSTS = "max-age=31536000; includeSubDomains";

/**
 * Security headers on every response (CSP, nosniff, frame-ancestors…), and
 * `Cache-Control: no-store` on every API answer (errors included): tokens, CSRF tokens, env and
 * account data must not stay in a browser or proxy cache (ASVS 8.2.1). Set first thing, so even
 * refusals carry it; a route may still set its own (event streams: no-cache).
 *
 * Strict-Transport-Security only on requests that came over TLS: the gateway's own socket, or a
 * proxy TRUST_PROXY names saying `X-Forwarded-Proto: https` (fastify's `request.protocol` believes
 * the header from trusted proxies only). Sent over plain http (a developer's gateway on a LAN
 * address) it would promise an HTTPS the host does not serve.
 */
export async function installSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(helmet, { global: true, strictTransportSecurity: false });
  app.addHook("onRequest", async (request, reply) => {
    if (request.protocol.toLowerCase() === "https") reply.header("strict-transport-security", HSTS);
    if (!isDocsAsset(request.url)) reply.header("cache-control", "no-store");
  });
}
