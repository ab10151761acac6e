/**
 * The authenticated, breaker-guarded request path shared by every client method: auth headers,
 * one re-login after a 401 with ticket auth, and the host's circuit breaker around the whole call.
 */
import type { Authenticator } from "./auth.js";
import type { BreakerRegistry } from "./breaker.js";
import { ProxmoxAuthError } from "./errors.js";
import type { Envelope, HttpMethod, HttpTransport } from "./http-transport.js";
import type { Params } from "./params.js";

/** Sends authenticated requests to one host. */
export interface ApiCaller {
  call(method: HttpMethod, path: string, params?: Params): Promise<Envelope>;
}

/** Wires transport, authenticator and breaker together. */
export function createApiCaller(deps: {
  transport: HttpTransport;
  auth: Authenticator;
  breakers: BreakerRegistry;
  breakerKey: string;
}): ApiCaller {
  const { transport, auth, breakers, breakerKey } = deps;
  const send = async (method: HttpMethod, path: string, params?: Params): Promise<Envelope> =>
    transport.send({ method, path, params, headers: await auth.headers(method) });
  return {
    call: (method, path, params) =>
      breakers.fire(breakerKey, async () => {
        // Headers first, outside the retry: a failed login is final, repeating it would only earn
        // another of Proxmox's 3 s penalties.
        const headers = await auth.headers(method);
        try {
          return await transport.send({ method, path, params, headers });
        } catch (err) {
          // A ticket may be revoked or expire early (e.g. host reboot): log in again, once.
          if (err instanceof ProxmoxAuthError && auth.onUnauthorized()) return send(method, path, params);
          throw err;
        }
      }),
  };
}
