import type { IncomingMessage, ServerResponse } from "node:http";
import type { FastifyInstance } from "fastify";
import helmet, { type HelmetOptions } from "helmet";

/** The interactive docs' pages and static assets: public, the same for everyone, fine to cache. */
const DOCS_PREFIX = "/api/docs";

function isDocsAsset(url: string): boolean {
  return url === DOCS_PREFIX || url.startsWith(`${DOCS_PREFIX}/`) || url.startsWith(`${DOCS_PREFIX}?`);
}

/** HSTS as helmet words it by default: a year, subdomains included. */
const HSTS = "max-age=31536000; includeSubDomains";

/** helmet's defaults (CSP, nosniff, frame options…) without HSTS, which depends on the request. */
export const HELMET_OPTIONS: Readonly<HelmetOptions> = Object.freeze({ strictTransportSecurity: false });

/** One thing helmet does to a response: set a header (named as helmet spells it), or remove it (value null). */
export interface HeaderStep {
  readonly name: string;
  readonly value: string | null;
}

/**
 * What `helmet(options)` does to every response, recorded once. Its headers depend on the options
 * only, never on the request, yet @fastify/helmet rebuilt the middleware (CSP directives parsed
 * again) on every request: ~1.6 % of the gateway's busy time (profiled). helmet runs here against
 * a response that records setHeader/removeHeader; anything else it touches (the request, another
 * response method, an error, an asynchronous step) would make the recording unsafe, so it throws
 * and the gateway does not start.
 */
export function recordHelmetSteps(options: Readonly<HelmetOptions> = HELMET_OPTIONS): HeaderStep[] {
  const steps: HeaderStep[] = [];
  const refuse = (what: string): never => {
    throw new Error(`helmet used ${what}: its headers can no longer be computed once (security-headers.ts)`);
  };
  const res = new Proxy({} as ServerResponse, {
    get(_, key) {
      if (key === "setHeader") {
        return (name: string, value: unknown) => {
          if (typeof value !== "string") refuse(`a ${typeof value} value for ${name}`);
          steps.push({ name, value: value as string });
        };
      }
      if (key === "removeHeader") return (name: string) => steps.push({ name, value: null });
      return refuse(`res.${String(key)}`);
    },
  });
  const req = new Proxy({} as IncomingMessage, { get: (_, key) => refuse(`req.${String(key)}`) });
  let done = false;
  helmet(options)(req, res, (err?: unknown) => {
    if (err) refuse(`an error (${String(err)})`);
    done = true;
  });
  if (!done) refuse("an asynchronous step");
  return steps;
}

/** Replays helmet's steps on a raw response, as helmet does them: same names, case and order on the wire. */
export function applyHeaderSteps(res: ServerResponse, steps: readonly HeaderStep[]): void {
  for (const { name, value } of steps) {
    if (value === null) res.removeHeader(name);
    else res.setHeader(name, value);
  }
}

/**
 * Security headers on every response (CSP, nosniff, frame-ancestors…), and
 * `Cache-Control: no-store` on every API answer (errors included): tokens, CSRF tokens, env and
 * account data must not stay in a browser or proxy cache (ASVS 8.2.1). Set first thing, so even
 * refusals carry it; a route may still set its own (event streams: no-cache; the web console its CSP).
 *
 * Strict-Transport-Security only on requests that came over TLS: the gateway's own socket, or a
 * proxy TRUST_PROXY names saying `X-Forwarded-Proto: https` (fastify's `request.protocol` believes
 * the header from trusted proxies only). Sent over plain http (a developer's gateway on a LAN
 * address) it would promise an HTTPS the host does not serve.
 */
export function installSecurityHeaders(app: FastifyInstance): void {
  const helmetSteps = Object.freeze(recordHelmetSteps());
  app.addHook("onRequest", async (request, reply) => {
    // On the raw response like helmet, not reply.header(), which would lower-case the names.
    applyHeaderSteps(reply.raw, helmetSteps);
    if (request.protocol.toLowerCase() === "https") reply.header("strict-transport-security", HSTS);
    if (!isDocsAsset(request.url)) reply.header("cache-control", "no-store");
  });
}
