/**
 * The API server: node:http by default (tests that need no TLS), node:https when a certificate is
 * given, as real PVE serves port 8006 with a self-signed one, so the client's pinning and CA paths are
 * exercised. Routes `/api2/json/*` to the API handler; while the host is "down" every API request
 * gets its connection reset. The control API (`/_sim/*`) is not served here but on a listener of
 * its own (admin-server.ts): this port answers it 404.
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { PveError } from "../errors.js";
import { countRequest } from "../sim-context.js";
import { type ApiHandlerOptions, handleApi } from "./api-handler.js";
import { sendError } from "./reply.js";

export interface ApiServer {
  listen(host: string, port: number): Promise<number>;
  /** Resets every open connection (host goes down). */
  dropConnections(): void;
  close(): Promise<void>;
}

export interface ApiServerOptions extends Omit<ApiHandlerOptions, "hung"> {
  readonly isHostDown: () => boolean;
  /** PEM certificate and key: serve HTTPS instead of HTTP. */
  readonly tls?: { readonly cert: string; readonly key: string };
}

export function createApiServer(options: ApiServerOptions): ApiServer {
  const sockets = new Set<Socket>();
  const hung = new Set<IncomingMessage>();
  const api: ApiHandlerOptions = { ...options, hung };
  const handler: RequestListener = (req, res) => {
    const url = new URL(req.url ?? "/", "http://sim");
    const path = url.pathname;
    // Not here, whatever the state of the host: the control API has its own listener.
    if (path === "/_sim" || path.startsWith("/_sim/"))
      return void sendError(res, new PveError(404, "Not Found"));
    // Reset rather than answer: the client must see what a dead host looks like.
    if (options.isHostDown()) return void req.socket.destroy();
    if (path.startsWith("/api2/json/")) {
      return void handleApi(api, req, res, path.slice("/api2/json".length), url.searchParams);
    }
    countRequest(options.sim, `${req.method ?? "GET"} (no route)`);
    sendError(res, new PveError(501, `Method '${req.method} ${path}' not implemented`));
  };
  // https.Server is a tls.Server, not an http.Server, but it has the same listen/close/connection surface.
  const server: Server = options.tls
    ? (createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handler) as unknown as Server)
    : createHttpServer(handler);
  // For HTTPS "connection" carries the raw TCP socket: destroying it also kills the TLS session on top.
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  return {
    listen: (host, port) =>
      new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
      }),
    dropConnections: () => {
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise((resolve) => {
        for (const req of hung) req.socket.destroy();
        hung.clear();
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
