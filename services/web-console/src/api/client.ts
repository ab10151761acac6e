import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";

export type { components, paths };
/** A schema of the API by name, e.g. `Schema<"Error">`. */
export type Schema<Name extends keyof components["schemas"]> = components["schemas"][Name];

/** The readable CSRF cookie set at sign-in (`__Host-` prefixed over HTTPS, plain in development). */
const CSRF_COOKIES = ["__Host-proximity_csrf", "proximity_csrf"];
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function csrfToken(cookies: string = document.cookie): string | undefined {
  for (const part of cookies.split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name && CSRF_COOKIES.includes(name)) return decodeURIComponent(value.join("="));
  }
  return undefined;
}

type Listener = () => void;
const expiryListeners = new Set<Listener>();

/** Called when an API call answers 401: the session ended or expired (auth/session.tsx listens). */
export function onSessionExpired(listener: Listener): () => void {
  expiryListeners.add(listener);
  return () => expiryListeners.delete(listener);
}

/** Cookie sessions echo the CSRF token on unsafe methods, as the API requires. */
const csrf: Middleware = {
  onRequest({ request }) {
    if (SAFE_METHODS.has(request.method)) return undefined;
    const token = csrfToken();
    if (token) request.headers.set("X-CSRF-Token", token);
    return request;
  },
};

const expiry: Middleware = {
  onResponse({ request, response }) {
    const url = new URL(request.url, window.location.origin);
    if (response.status === 401 && url.pathname !== "/api/auth/login") {
      for (const listener of expiryListeners) listener();
    }
    return undefined;
  },
};

/** The typed client of the gateway's public API (types generated from its OpenAPI document). */
export const api = createClient<paths>({
  baseUrl: window.location.origin,
  credentials: "same-origin",
  // Looked up at each call (not captured once), so component tests can stub globalThis.fetch.
  fetch: (request) => globalThis.fetch(request),
});
api.use(csrf, expiry);
