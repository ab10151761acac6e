/** An answer of the gateway. */
export interface HttpResult {
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: bodies are asserted field by field in tests
  readonly body: any;
  readonly headers: Headers;
}

/**
 * A browser-like client of the gateway's REST API: keeps the session cookie and sends the CSRF
 * token on unsafe methods, as a frontend would. `anonymous()` gives a client without a session.
 */
export class GatewayClient {
  readonly #baseUrl: string;
  #cookie = "";
  #csrf = "";

  constructor(baseUrl: string) {
    this.#baseUrl = baseUrl;
  }

  /** Logs in; throws unless the gateway answers 200. */
  async login(username: string, password: string): Promise<{ id: string; is_admin: boolean }> {
    const res = await this.request("POST", "/api/auth/login", { username, password });
    if (res.status !== 200)
      throw new Error(`login as ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
    this.#cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    this.#csrf = res.body.csrf_token;
    return res.body.user;
  }

  /** The session cookie header this client sends ("" before login), for raw fetches (event streams). */
  get cookie(): string {
    return this.#cookie;
  }

  get(path: string): Promise<HttpResult> {
    return this.request("GET", path);
  }

  post(path: string, body?: unknown): Promise<HttpResult> {
    return this.request("POST", path, body);
  }

  delete(path: string): Promise<HttpResult> {
    return this.request("DELETE", path);
  }

  /** Sends a request; `withCsrf: false` leaves the CSRF header out (to test its enforcement). */
  async request(method: string, path: string, body?: unknown, { withCsrf = true } = {}): Promise<HttpResult> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers["content-type"] = "application/json";
    if (this.#cookie) headers.cookie = this.#cookie;
    if (this.#csrf && withCsrf && method !== "GET") headers["x-csrf-token"] = this.#csrf;
    const res = await fetch(new URL(path, this.#baseUrl), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON (the docs page): keep the text
    }
    return { status: res.status, body: parsed, headers: res.headers };
  }
}
