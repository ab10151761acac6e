/**
 * Authentication as pveproxy does it: API tokens (`PVEAPIToken=user@realm!name=secret`, no CSRF),
 * or tickets from /access/ticket (`PVEAuthCookie`, 2 h life) whose non-GET calls need a matching
 * `CSRFPreventionToken` header. Tickets are HMAC-signed with a per-process secret.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { PveError } from "../errors.js";

export interface AuthOptions {
  readonly tokens: readonly { readonly tokenId: string; readonly secret: string }[];
  readonly users: readonly { readonly username: string; readonly password: string }[];
}

/** Who made a request: "root@pam" or "root@pam!proximity" (the task `user` field). */
export interface Principal {
  readonly user: string;
}

export interface TicketGrant {
  readonly username: string;
  readonly ticket: string;
  readonly CSRFPreventionToken: string;
}

export interface Authenticator {
  /** Checks the headers of an API request; throws the 401 PVE would send. */
  authenticate(method: string, headers: IncomingHttpHeaders): Principal;
  /** POST /access/ticket: password login, or renewal by passing the current ticket as password. */
  login(username: string, password: string): TicketGrant;
}

const TICKET_LIFE_S = 2 * 3600;

export function createAuthenticator(options: AuthOptions): Authenticator {
  return new AuthenticatorImpl(options);
}

class AuthenticatorImpl implements Authenticator {
  readonly #options: AuthOptions;
  readonly #key = randomBytes(32);

  constructor(options: AuthOptions) {
    this.#options = options;
  }

  authenticate(method: string, headers: IncomingHttpHeaders): Principal {
    const authz = String(headers.authorization ?? "");
    const token = /^PVEAPIToken=([^!=\s]+@[^!=\s]+)!([^=\s]+)[=:](\S+)$/.exec(authz);
    if (token) {
      const tokenId = `${token[1]}!${token[2]}`;
      const ok = this.#options.tokens.some((t) => t.tokenId === tokenId && safeEqual(t.secret, token[3]!));
      if (!ok) throw new PveError(401, "Authentication failed!");
      return { user: tokenId };
    }
    const ticket = ticketFrom(headers);
    if (ticket === undefined) throw new PveError(401, "No ticket");
    const user = this.#verifyTicket(ticket);
    if (!user) throw new PveError(401, "Authentication failed!");
    if (method !== "GET" && !this.#verifyCsrf(String(headers.csrfpreventiontoken ?? ""), user)) {
      throw new PveError(401, "Permission denied - invalid csrf token");
    }
    return { user };
  }

  login(username: string, password: string): TicketGrant {
    const known = this.#options.users.find((u) => u.username === username);
    const renewing = password.startsWith("PVE:") && this.#verifyTicket(password) === username;
    if (!known || !(renewing || safeEqual(known.password, password))) {
      throw new PveError(401, "authentication failure");
    }
    const now = Math.floor(Date.now() / 1000);
    const hexTime = now.toString(16).toUpperCase().padStart(8, "0");
    const plain = `PVE:${username}:${hexTime}`;
    return {
      username,
      ticket: `${plain}::${this.#sign(plain)}`,
      CSRFPreventionToken: `${hexTime}:${this.#sign(`${hexTime}:${username}`).slice(0, 43)}`,
    };
  }

  #sign(text: string): string {
    return createHmac("sha256", this.#key).update(text).digest("base64");
  }

  #verifyTicket(ticket: string): string | undefined {
    const m = /^(PVE:([^:]+):([0-9A-F]{8}))::(\S+)$/.exec(ticket);
    if (!m || !safeEqual(this.#sign(m[1]!), m[4]!)) return undefined;
    return fresh(m[3]!) ? m[2] : undefined;
  }

  #verifyCsrf(token: string, user: string): boolean {
    const m = /^([0-9A-F]{8}):(\S+)$/.exec(token);
    return !!m && fresh(m[1]!) && safeEqual(this.#sign(`${m[1]}:${user}`).slice(0, 43), m[2]!);
  }
}

/** Valid from 5 min in the future (clock skew) to 2 h in the past. */
function fresh(hexTime: string): boolean {
  const age = Math.floor(Date.now() / 1000) - Number.parseInt(hexTime, 16);
  return age > -300 && age < TICKET_LIFE_S;
}

function ticketFrom(headers: IncomingHttpHeaders): string | undefined {
  const authz = /^PVEAuthCookie=(\S+)$/.exec(String(headers.authorization ?? ""));
  if (authz) return decodeURIComponent(authz[1]!);
  for (const part of String(headers.cookie ?? "").split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === "PVEAuthCookie") return decodeURIComponent(rest.join("="));
  }
  return undefined;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
