/**
 * Authentication to the Proxmox API: an API token header, or a ticket obtained with a password
 * (cookie + CSRF header on writes), renewed before its two-hour life ends.
 */
import { InternalError } from "@proximity/errors";
import type { ProxmoxAuth } from "./api.js";
import { obj, str } from "./decode.js";
import type { HttpMethod, HttpTransport } from "./http-transport.js";

/** Supplies auth headers and reacts to a 401. */
export interface Authenticator {
  /** Headers to add to a request with `method`; may log in first. */
  headers(method: HttpMethod): Promise<Record<string, string>>;
  /** Called after a 401. True when credentials were dropped and one retry with a fresh login makes sense. */
  onUnauthorized(): boolean;
}

/** A ticket lives 2 h; renew well before so that clock skew or a long request never meets an expired one. */
export const TICKET_RENEW_AFTER_MS = 90 * 60_000;
/** Past this age a renewal with the old ticket is unlikely to work, so log in with the password again. */
const TICKET_RELOGIN_AFTER_MS = 115 * 60_000;

/** Creates the authenticator for `auth`. `now` is injectable for tests of the renewal. */
export function createAuthenticator(
  auth: ProxmoxAuth,
  transport: HttpTransport,
  now: () => number,
): Authenticator {
  return auth.kind === "token"
    ? new TokenAuthenticator(`PVEAPIToken=${auth.tokenId}=${auth.secret}`)
    : new TicketAuthenticator(auth.username, auth.password, transport, now);
}

class TokenAuthenticator implements Authenticator {
  readonly #header: string;
  constructor(header: string) {
    this.#header = header;
  }
  async headers(): Promise<Record<string, string>> {
    return { authorization: this.#header };
  }
  onUnauthorized(): boolean {
    return false; // a rejected token stays rejected: retrying only triggers another 3 s penalty
  }
}

interface Ticket {
  readonly ticket: string;
  readonly csrf: string;
  readonly obtainedAt: number;
}

class TicketAuthenticator implements Authenticator {
  readonly #username: string;
  readonly #password: string;
  readonly #transport: HttpTransport;
  readonly #now: () => number;
  #ticket: Ticket | undefined;
  /** Single flight: concurrent requests share one login instead of each posting credentials. */
  #pending: Promise<Ticket> | undefined;

  constructor(username: string, password: string, transport: HttpTransport, now: () => number) {
    this.#username = username;
    this.#password = password;
    this.#transport = transport;
    this.#now = now;
  }

  async headers(method: HttpMethod): Promise<Record<string, string>> {
    const t = await this.#current();
    const headers: Record<string, string> = { cookie: `PVEAuthCookie=${t.ticket}` };
    if (method !== "GET") headers.csrfpreventiontoken = t.csrf;
    return headers;
  }

  onUnauthorized(): boolean {
    this.#ticket = undefined;
    return true;
  }

  #current(): Promise<Ticket> {
    const t = this.#ticket;
    const age = t ? this.#now() - t.obtainedAt : Number.POSITIVE_INFINITY;
    if (t && age < TICKET_RENEW_AFTER_MS) return Promise.resolve(t);
    if (!this.#pending) {
      const renew = t && age < TICKET_RELOGIN_AFTER_MS;
      this.#pending = (
        renew ? this.#login(t.ticket).catch(() => this.#login(this.#password)) : this.#login(this.#password)
      )
        .then((fresh) => {
          this.#ticket = fresh;
          return fresh;
        })
        .finally(() => {
          this.#pending = undefined;
        });
    }
    return this.#pending;
  }

  async #login(password: string): Promise<Ticket> {
    const res = await this.#transport.send({
      method: "POST",
      path: "/access/ticket",
      params: { username: this.#username, password },
    });
    const data = obj(res.data);
    const ticket = str(data.ticket);
    const csrf = str(data.CSRFPreventionToken);
    if (!ticket || !csrf) throw new InternalError("Proxmox answered a login without a ticket");
    return { ticket, csrf, obtainedAt: this.#now() };
  }
}
