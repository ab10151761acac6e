/**
 * The authenticated, breaker-guarded request path shared by every client method: auth headers,
 * one re-login after a 401 with ticket auth, and the host's circuit breaker around the whole call,
 * all inside one client span (host, method, path template; never a header or a parameter).
 */
import { toProximityError } from "@proximity/errors";
import { inSpan, noopTracer, SpanKind, type Tracer } from "@proximity/telemetry";
import type { Authenticator } from "./auth.js";
import type { BreakerRegistry } from "./breaker.js";
import { ProxmoxAuthError } from "./errors.js";
import type { Envelope, HttpMethod, HttpTransport } from "./http-transport.js";
import type { Params } from "./params.js";
import { pathTemplate } from "./path-template.js";

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
  /** host:port of the API, for the spans. */
  host: string;
  tracer?: Tracer;
}): ApiCaller {
  const { transport, auth, breakers, breakerKey } = deps;
  const tracer = deps.tracer ?? noopTracer;
  const send = async (method: HttpMethod, path: string, params?: Params): Promise<Envelope> =>
    transport.send({ method, path, params, headers: await auth.headers(method) });
  return {
    call: (method, path, params) => {
      const template = pathTemplate(path);
      const attributes = {
        "http.request.method": method,
        "url.template": template,
        "server.address": deps.host,
        "proximity.proxmox.breaker": breakerKey,
      };
      return inSpan(tracer, `${method} ${template}`, { kind: SpanKind.CLIENT, attributes }, (span) =>
        guarded(method, path, params).catch((err: unknown) => {
          span.setAttribute("error.type", toProximityError(err).code);
          throw err;
        }),
      );
    },
  };

  function guarded(method: HttpMethod, path: string, params?: Params): Promise<Envelope> {
    return breakers.fire(breakerKey, async () => {
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
    });
  }
}
