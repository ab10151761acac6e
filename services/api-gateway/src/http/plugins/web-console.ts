import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

export interface WebConsoleSettings {
  /** The console's built files (services/web-console/dist): index.html and hashed assets/. */
  readonly dir: string;
  /** Served over HTTPS (secure cookies): the policy also upgrades any http:// subresource. */
  readonly secureTransport: boolean;
}

/** A built console, loaded at start. */
export interface WebConsole {
  readonly dir: string;
  readonly indexHtml: Buffer;
  readonly csp: string;
}

/**
 * The console's Content-Security-Policy: scripts, styles, fonts and API calls from this origin
 * only (no inline script or style, no eval), images also from https (catalog icons are links to
 * their projects' artwork), nothing may frame it, forms post here only.
 */
export function consoleContentSecurityPolicy(secureTransport: boolean): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: https:",
    "font-src 'self'",
    "connect-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(secureTransport ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

/** Vite names every built asset by its content hash: it can be cached for good. */
const HASHED_ASSETS = "/assets/";
const IMMUTABLE = "public, max-age=31536000, immutable";
/** index.html and unhashed files are revalidated on every load, so a new release shows at once. */
const REVALIDATE = "no-cache";

const pathOf = (url: string) => url.split("?")[0] ?? "";

/** The console's built files, or undefined when it is not built (then nothing is served). */
export async function loadWebConsole(settings: WebConsoleSettings): Promise<WebConsole | undefined> {
  const indexPath = join(settings.dir, "index.html");
  if (!existsSync(indexPath)) return undefined;
  return {
    dir: settings.dir,
    indexHtml: await readFile(indexPath),
    csp: consoleContentSecurityPolicy(settings.secureTransport),
  };
}

/**
 * Serves the console's files as they are (issue 11), public like the API docs, outside the
 * request budget (loading the console is a handful of static files) and without looking at any
 * credential (so a file costs no database lookup). The console signs in through the API like any
 * other client. Source maps are built but not served (`allowedPath`). The directory must hold
 * only the build's output: a symbolic link in it would be followed.
 */
export async function installWebConsole(app: FastifyInstance, site: WebConsole): Promise<void> {
  await app.register(async (files) => {
    files.addHook("onRoute", (route) => {
      route.config = { ...route.config, access: "public", anonymous: true, rateLimit: false };
    });
    files.addHook("onSend", async (request, reply: FastifyReply, payload) => {
      if (reply.statusCode < 400) {
        reply.header("cache-control", pathOf(request.url).startsWith(HASHED_ASSETS) ? IMMUTABLE : REVALIDATE);
        reply.header("content-security-policy", site.csp);
      }
      return payload;
    });
    await files.register(fastifyStatic, {
      root: site.dir,
      prefix: "/",
      // Routes for the files present at start (a release replaces the whole directory).
      wildcard: false,
      index: false,
      cacheControl: false,
      dotfiles: "deny",
      schemaHide: true,
      allowedPath: (pathName) => !pathName.endsWith(".map"),
    });
  });
}

/**
 * Whether the path's last segment names a file (`/robots.txt`, `/favicon.ico`, `/wp-login.php`):
 * one that was not built is a 404, not the console's page, which a crawler or a scanner would take
 * for the file. The console's own addresses never end so: the ids in them are UUIDs (apps, hosts,
 * users) and catalog ids are slugs (a-z, 0-9, '-'; services/applications catalog-item.ts).
 */
function namesAFile(path: string): boolean {
  const last = path.slice(path.lastIndexOf("/") + 1);
  try {
    return decodeURIComponent(last).includes(".");
  } catch {
    return last.includes(".");
  }
}

/**
 * For the not-found handler: answers a GET (or HEAD) outside /api with index.html, so the
 * console's own URLs (/apps/…, /store?…) load on a reload or from a link. Unknown API paths,
 * missing hashed assets (a browser would run the page as a script) and other missing files stay
 * 404s. False when not answered.
 */
export function serveConsolePage(site: WebConsole, request: FastifyRequest, reply: FastifyReply): boolean {
  const path = pathOf(request.url);
  if (request.method !== "GET" && request.method !== "HEAD") return false;
  if (path === "/api" || path.startsWith("/api/") || path.startsWith(HASHED_ASSETS)) return false;
  if (namesAFile(path)) return false;
  reply
    .code(200)
    .header("cache-control", REVALIDATE)
    .header("content-security-policy", site.csp)
    .type("text/html; charset=utf-8")
    .send(site.indexHtml);
  return true;
}
