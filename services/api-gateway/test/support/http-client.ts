/** A minimal HTTP client for the tests: real fetch, cookies and CSRF handled by hand. */
export interface HttpResult {
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
  readonly body: any;
  readonly headers: Headers;
}

/** How a request authenticates. */
export interface Auth {
  /** Cookie header value. */
  readonly cookie?: string;
  /** X-CSRF-Token value. */
  readonly csrf?: string;
  /** Bearer token. */
  readonly bearer?: string;
}

export interface RequestOptions {
  readonly auth?: Auth;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

export async function request(
  baseUrl: string,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<HttpResult> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers["content-type"] ??= "application/json";
  if (options.auth?.cookie) headers.cookie = options.auth.cookie;
  if (options.auth?.csrf) headers["x-csrf-token"] = options.auth.csrf;
  if (options.auth?.bearer) headers.authorization = `Bearer ${options.auth.bearer}`;
  const res = await fetch(new URL(path, baseUrl), {
    method,
    headers,
    body:
      options.body === undefined
        ? undefined
        : typeof options.body === "string"
          ? options.body
          : JSON.stringify(options.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON (docs UI): keep the text
  }
  return { status: res.status, body, headers: res.headers };
}

/** A logged-in browser: its cookies and the CSRF token from the login answer. */
export interface Session extends Auth {
  readonly cookie: string;
  readonly csrf: string;
  readonly setCookies: string[];
  readonly userId: string;
}

export async function login(baseUrl: string, username: string, password: string): Promise<Session> {
  const res = await request(baseUrl, "POST", "/api/auth/login", { body: { username, password } });
  if (res.status !== 200)
    throw new Error(`login as ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
  const setCookies = res.headers.getSetCookie();
  const cookie = setCookies.map((c) => c.split(";")[0]).join("; ");
  return { cookie, csrf: res.body.csrf_token, setCookies, userId: res.body.user.id };
}

/** Creates a user through the API as `admin` and logs in as them. */
export async function createUserAndLogin(
  baseUrl: string,
  admin: Auth,
  username: string,
  options: { isAdmin?: boolean; password?: string } = {},
): Promise<Session> {
  const password = options.password ?? "a-long-enough-password-123";
  const res = await request(baseUrl, "POST", "/api/users", {
    auth: admin,
    body: { username, password, is_admin: options.isAdmin ?? false },
  });
  if (res.status !== 201)
    throw new Error(`create ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return login(baseUrl, username, password);
}

/** Issues an API token for the session's user. */
export async function issueToken(
  baseUrl: string,
  session: Auth,
  body: Record<string, unknown>,
): Promise<string> {
  const res = await request(baseUrl, "POST", "/api/auth/tokens", { auth: session, body });
  if (res.status !== 201) throw new Error(`token failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token;
}
