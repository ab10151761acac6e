/**
 * One HTTP exchange with the Proxmox API over a per-host undici Agent: encoding, the per-request
 * deadline, envelope decoding and error mapping. Authentication and the breaker live above it.
 */
import { DeadlineExceededError, InternalError, ProximityError } from "@proximity/errors";
import type { Logger } from "@proximity/logger";
import { Agent, request } from "undici";
import type { ProxmoxTls } from "./api.js";
import { mapHttpError, mapTransportError } from "./error-mapping.js";
import { encodeParams, type Params } from "./params.js";
import { buildTlsConnector } from "./tls.js";

/** HTTP methods the Proxmox API uses. */
export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

/** One request; `path` is relative to `/api2/json` and already encoded. */
export interface HttpRequest {
  readonly method: HttpMethod;
  readonly path: string;
  readonly params?: Params;
  readonly headers?: Readonly<Record<string, string>>;
}

/** The decoded `{data, total?}` envelope. */
export interface Envelope {
  readonly data: unknown;
  readonly total?: number;
}

/** Sends requests to one Proxmox host. */
export interface HttpTransport {
  send(req: HttpRequest): Promise<Envelope>;
  close(): Promise<void>;
}

/** Settings of a transport. */
export interface HttpTransportOptions {
  readonly baseUrl: string;
  readonly tls?: ProxmoxTls;
  readonly requestTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly logger: Logger;
}

/** Creates the transport and its Agent (keep-alive, connect timeout, TLS policy). */
export function createHttpTransport(options: HttpTransportOptions): HttpTransport {
  return new HttpTransportImpl(options);
}

class HttpTransportImpl implements HttpTransport {
  readonly #origin: string;
  readonly #agent: Agent;
  readonly #timeoutMs: number;

  constructor(options: HttpTransportOptions) {
    const url = new URL(options.baseUrl);
    this.#origin = `${url.protocol}//${url.host}`;
    this.#timeoutMs = options.requestTimeoutMs;
    if (url.protocol === "http:") {
      options.logger.warn({ host: url.host }, "Proxmox API over plain http (simulators and tests only)");
    } else if (options.tls?.insecure && !options.tls.fingerprint) {
      options.logger.warn({ host: url.host }, "TLS verification of the Proxmox host is disabled (insecure)");
    }
    this.#agent = new Agent({
      connect: buildTlsConnector(options.tls, { connectTimeoutMs: options.connectTimeoutMs }),
      keepAliveTimeout: 10_000,
      keepAliveMaxTimeout: 60_000,
      headersTimeout: options.requestTimeoutMs,
      bodyTimeout: options.requestTimeoutMs,
    });
  }

  async send(req: HttpRequest): Promise<Envelope> {
    const encoded = encodeParams(req.params);
    const inQuery = req.method === "GET" || req.method === "DELETE";
    const url = `${this.#origin}/api2/json${req.path}${inQuery && encoded ? `?${encoded}` : ""}`;
    const headers: Record<string, string> = { accept: "application/json", ...req.headers };
    if (!inQuery) headers["content-type"] = "application/x-www-form-urlencoded";
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.#timeoutMs);
    try {
      const res = await request(url, {
        method: req.method,
        headers,
        body: inQuery ? undefined : encoded,
        dispatcher: this.#agent,
        signal: controller.signal,
      });
      const text = await res.body.text();
      if (res.statusCode >= 200 && res.statusCode < 300) return decodeEnvelope(text);
      throw mapHttpError({
        status: res.statusCode,
        method: req.method,
        path: req.path,
        ...decodeError(text),
      });
    } catch (err) {
      if (err instanceof ProximityError) throw err;
      if (timedOut) throw new DeadlineExceededError("The Proxmox request timed out", err);
      throw mapTransportError(err);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }
}

function decodeEnvelope(text: string): Envelope {
  if (text.trim() === "") return { data: null };
  let body: { data?: unknown; total?: unknown };
  try {
    body = JSON.parse(text) as { data?: unknown; total?: unknown };
  } catch (err) {
    throw new InternalError("The Proxmox host answered with an unreadable body", err);
  }
  const total = typeof body.total === "number" ? body.total : Number(body.total);
  return Number.isFinite(total) ? { data: body.data ?? null, total } : { data: body.data ?? null };
}

function decodeError(text: string): { pveMessage: string; paramErrors?: Record<string, string> } {
  try {
    const body = JSON.parse(text) as { message?: unknown; errors?: unknown };
    const pveMessage = typeof body.message === "string" ? body.message.trim() : "";
    const errors =
      body.errors && typeof body.errors === "object" ? (body.errors as Record<string, unknown>) : {};
    const paramErrors = Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, String(v).trim()]));
    return { pveMessage, paramErrors };
  } catch {
    return { pveMessage: text.slice(0, 500).trim() };
  }
}
