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
 * only (no inline script or style, no eval), nothing may frame it, forms post here only. Images
 * alone may also come from any https: origin (and data:): catalog icons are links to their
 * projects' artwork on CDNs no list could name. An image cannot run code, so this opens nothing
 * that scripts could use; proxying the icons instead would make the gateway fetch arbitrary URLs.
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

/** The hashed assets index.html loads (`/assets/index-Ab12.js`), each once. */
function assetsOf(indexHtml: string): string[] {
  const found = indexHtml.matchAll(/(?:src|href)="\/(assets\/[^"?#]+)"/g);
  return [...new Set([...found].map((match) => match[1] ?? ""))];
}

/**
 * The console's built files, read once at start: index.html is kept in memory and served from
 * there. Undefined when the directory does not exist (not built: nothing is served, and the
 * server says so). A directory that exists but holds no index.html, or an index.html whose
 * scripts or styles are missing (a build cut short, a partial copy), fails the start with a
 * message that says what to do: serving it would give every visitor a blank page.
 */
export async function loadWebConsole(settings: WebConsoleSettings): Promise<WebConsole | undefined> {
  if (!existsSync(settings.dir)) return undefined;
  const remedy =
    "build it (pnpm --filter @proximity/web-console build), or set WEB_CONSOLE_DIR= to serve none";
  const indexPath = join(settings.dir, "index.html");
  if (!existsSync(indexPath)) {
    throw new Error(`The web console in ${settings.dir} is incomplete: it has no index.html; ${remedy}`);
  }
  const indexHtml = await readFile(indexPath);
  const missing = assetsOf(indexHtml.toString("utf8")).filter(
    (asset) => !existsSync(join(settings.dir, asset)),
  );
  if (missing.length > 0) {
    throw new Error(
      `The web console in ${settings.dir} is incomplete: index.html loads ${missing.join(", ")}, which is missing; ${remedy}`,
    );
  }
  return { dir: settings.dir, indexHtml, csp: consoleContentSecurityPolicy(settings.secureTransport) };
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
 * A browser loading a page (a link followed, an address typed): `Sec-Fetch-Mode: navigate`, or,
 * from a client that sends no fetch metadata, one that asks for HTML. Scripts, images and API
 * clients ask otherwise.
 */
function isNavigation(request: FastifyRequest): boolean {
  const mode = request.headers["sec-fetch-mode"];
  if (mode !== undefined) return mode === "navigate";
  return (request.headers.accept ?? "").includes("text/html");
}

/**
 * For the not-found handler: answers a GET (or HEAD) outside /api with index.html, so the
 * console's own URLs (/apps/…, /store?…) load on a reload or from a link. A path that names a file
 * (`/foo.png`) or a hashed asset that is not there is a 404: to a browser navigating to it, the
 * console's page with status 404 (it shows its not-found page); to anything else (a script, an
 * image, a crawler's fetch of /robots.txt-like files, curl) the JSON 404, which no one can take for
 * the file. Unknown API paths are always JSON. False when not answered.
 */
export function serveConsolePage(site: WebConsole, request: FastifyRequest, reply: FastifyReply): boolean {
  const path = pathOf(request.url);
  if (request.method !== "GET" && request.method !== "HEAD") return false;
  if (path === "/api" || path.startsWith("/api/")) return false;
  const missingFile = path.startsWith(HASHED_ASSETS) || namesAFile(path);
  if (missingFile && !isNavigation(request)) return false;
  reply
    .code(missingFile ? 404 : 200)
    .header("cache-control", REVALIDATE)
    .header("content-security-policy", site.csp)
    .type("text/html; charset=utf-8")
    .send(site.indexHtml);
  return true;
}
