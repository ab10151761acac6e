import { vi } from "vitest";
import type { CurrentUser } from "../api/types";
import { makeUser } from "./fixtures";

/** One answer of the fake API: a status (200 unless given), a JSON body and any extra headers. */
export interface FakeAnswer {
  readonly status?: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A request the fake API received, with its parsed JSON body. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly search: URLSearchParams;
  readonly headers: Headers;
  readonly body: unknown;
  /** The values of the route's `:name` segments. */
  readonly params: Readonly<Record<string, string>>;
}

/** Answers a request, or leaves it unanswered (undefined: a 404 that names what was not stubbed). */
export type FakeHandler = (request: SeenRequest) => FakeAnswer | undefined | Promise<FakeAnswer | undefined>;

/** "METHOD /path" (no query; a `:name` segment matches any one segment) → its answer or handler. */
export type FakeRoutes = Readonly<Record<string, FakeAnswer | FakeHandler>>;

interface FakeApiOptions {
  /** Who `GET /api/auth/me` says is signed in, unless a route answers it. */
  readonly user?: CurrentUser;
}

interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly names: readonly string[];
  readonly answer: FakeAnswer | FakeHandler;
}

/** "GET /api/apps/:id" as a matcher: each `:name` segment matches one path segment. */
function routeOf(key: string, answer: FakeAnswer | FakeHandler): Route {
  const [method = "", path = ""] = key.split(" ");
  const names: string[] = [];
  const source = path.replace(/:([a-z_]+)/gi, (_match, name: string) => {
    names.push(name);
    return "([^/]+)";
  });
  return { method, pattern: new RegExp(`^${source}$`), names, answer };
}

/** The route for a request: one named exactly wins over one with `:name` segments. */
function match(routes: readonly Route[], method: string, path: string) {
  const candidates = routes.filter((route) => route.method === method);
  const exact = candidates.find((route) => route.names.length === 0 && route.pattern.test(path));
  for (const route of exact ? [exact] : candidates) {
    const found = route.pattern.exec(path);
    if (!found) continue;
    const params = Object.fromEntries(
      route.names.map((name, i) => [name, decodeURIComponent(found[i + 1] ?? "")]),
    );
    return { route, params };
  }
  return undefined;
}

/**
 * Stubs the network for component tests, where the API client calls it (globalThis.fetch with a
 * Request): `routes` maps "METHOD /path" (no query; `:name` matches a segment) to an answer or a
 * handler. `GET /api/auth/me` answers a signed-in user unless a route does; anything else is a 404.
 * Returns the requests seen, in order (setup.ts unstubs fetch after each test).
 */
export function fakeApi(routes: FakeRoutes, { user = makeUser() }: FakeApiOptions = {}): SeenRequest[] {
  const table = Object.entries({ "GET /api/auth/me": { body: user }, ...routes }).map(([key, answer]) =>
    routeOf(key, answer),
  );
  const seen: SeenRequest[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (request: Request) => {
      const url = new URL(request.url);
      const text = request.method === "GET" ? "" : await request.clone().text();
      const found = match(table, request.method, url.pathname);
      const received: SeenRequest = {
        method: request.method,
        path: url.pathname,
        search: url.searchParams,
        headers: request.headers,
        body: text ? JSON.parse(text) : undefined,
        params: found?.params ?? {},
      };
      seen.push(received);
      const route = found?.route.answer;
      const answer = typeof route === "function" ? await route(received) : route;
      const notStubbed: FakeAnswer = {
        status: 404,
        body: { detail: `Not stubbed: ${request.method} ${url.pathname}` },
      };
      const { status = 200, body = {}, headers = {} } = answer ?? notStubbed;
      return new Response(status === 204 ? null : JSON.stringify(body), {
        status,
        headers: { "content-type": "application/json", ...headers },
      });
    }),
  );
  return seen;
}

/** The requests seen with this method and path, in order. */
export function requestsTo(seen: readonly SeenRequest[], method: string, path: string): SeenRequest[] {
  return seen.filter((request) => request.method === method && request.path === path);
}

/** Sets (or with `null`, removes) a cookie of the test page, as the gateway's Set-Cookie would. */
export function setTestCookie(name: string, value: string | null): void {
  const cookie =
    value === null ? `${name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/` : `${name}=${value}; path=/`;
  // biome-ignore lint/suspicious/noDocumentCookie: jsdom has no Cookie Store API; this stands in for Set-Cookie
  document.cookie = cookie;
}
