/**
 * A tiny Proxmox API stand-in on 127.0.0.1 (http or https) that records every request and answers
 * through a route function. Tests start their own and close it.
 */
import { createServer as createHttp, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttps } from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import type { RecordedRequest } from "@proximity/pve-schema";

/** A recorded request with its headers. */
export interface SeenRequest extends RecordedRequest {
  readonly headers: IncomingMessage["headers"];
  /** Over https: whether the connection resumed an earlier TLS session. */
  readonly tlsResumed?: boolean;
}

/** What a route answers: status, body object (serialised as JSON), optional delay. */
export interface Reply {
  readonly status?: number;
  readonly body?: unknown;
  readonly delayMs?: number;
  /** Close the connection after this answer (the next request opens a new one). */
  readonly closeConnection?: boolean;
}

/** Route function: a Reply, or a `{data}` value shortcut via `ok()`. */
export type Route = (req: SeenRequest) => Reply | Promise<Reply>;

/** A running fake. */
export interface FakePve {
  readonly url: string;
  readonly requests: SeenRequest[];
  close(): Promise<void>;
}

/** `{data}` envelope reply. */
export function ok(data: unknown, extra: Record<string, unknown> = {}): Reply {
  return { status: 200, body: { data, ...extra } };
}

/** A Proxmox-style error reply. */
export function pveError(status: number, message: string, errors?: Record<string, string>): Reply {
  return { status, body: { data: null, message: `${message}\n`, ...(errors ? { errors } : {}) } };
}

/** Starts the fake; pass `tls` to serve https. */
export async function startFakePve(
  route: Route,
  tls?: { key: string; cert: string; maxVersion?: "TLSv1.2" | "TLSv1.3" },
  /** Listen on this port (a server replaced at the same address); default any free one. */
  port = 0,
): Promise<FakePve> {
  const requests: SeenRequest[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const url = new URL(req.url ?? "/", "http://x");
      const params = Object.fromEntries(url.searchParams);
      const body = Buffer.concat(chunks).toString("utf8");
      if (body) Object.assign(params, Object.fromEntries(new URLSearchParams(body)));
      const seen: SeenRequest = {
        method: req.method ?? "GET",
        path: url.pathname.replace(/^\/api2\/json/, ""),
        params,
        headers: req.headers,
        ...("isSessionReused" in req.socket
          ? { tlsResumed: (req.socket as TLSSocket).isSessionReused() }
          : {}),
      };
      requests.push(seen);
      try {
        const reply = await route(seen);
        if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
        if (res.destroyed) return;
        res.writeHead(reply.status ?? 200, {
          "content-type": "application/json",
          ...(reply.closeConnection ? { connection: "close" } : {}),
        });
        res.end(JSON.stringify(reply.body ?? { data: null }));
      } catch (err) {
        res.writeHead(500).end(JSON.stringify({ data: null, message: String(err) }));
      }
    });
  };
  const server = tls ? createHttps(tls, handler) : createHttp(handler);
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const listening = (server.address() as AddressInfo).port;
  return {
    url: `${tls ? "https" : "http"}://127.0.0.1:${listening}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
