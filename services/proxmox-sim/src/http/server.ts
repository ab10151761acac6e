/**
 * The node:http server of the API (plain HTTP: clients pin nothing on a simulator). Routes
 * `/api2/json/*` to the API handler and `/_sim/*` to the admin endpoints; while the host is "down"
 * every API request gets its connection reset.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { PveError } from "../errors.js";
import { type AdminControls, handleAdmin } from "./admin.js";
import { type ApiHandlerOptions, handleApi } from "./api-handler.js";
import { sendError } from "./reply.js";

export interface ApiServer {
  listen(host: string, port: number): Promise<number>;
  /** Resets every open connection (host goes down); admin requests still get through afterwards. */
  dropConnections(): void;
  close(): Promise<void>;
}

export interface ApiServerOptions extends Omit<ApiHandlerOptions, "hung"> {
  readonly admin: AdminControls;
  readonly isHostDown: () => boolean;
}

export function createApiServer(options: ApiServerOptions): ApiServer {
  const sockets = new Set<Socket>();
  const hung = new Set<IncomingMessage>();
  const api: ApiHandlerOptions = { ...options, hung };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://sim");
    const path = url.pathname;
    if (path.startsWith("/_sim/"))
      return void handleAdmin(options.admin, req, res, path.slice("/_sim".length), url.searchParams);
    // Reset rather than answer: the client must see what a dead host looks like.
    if (options.isHostDown()) return void req.socket.destroy();
    if (path.startsWith("/api2/json/")) {
      return void handleApi(api, req, res, path.slice("/api2/json".length), url.searchParams);
    }
    sendError(res, new PveError(501, `Method '${req.method} ${path}' not implemented`));
  });
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
