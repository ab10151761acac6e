/**
 * The simulator's control API (`/_sim/*`: faults, host down, inspection of containers, commands
 * and files inside containers, apps' `.env` included) on a listener of its own, plain HTTP on the
 * loopback interface unless told otherwise. It is never served on the API port: whoever can reach
 * the simulated Proxmox (every container of a compose stack) must not read the apps' secrets or
 * break the host. Outside the "host down" switch, which only resets API and SSH connections.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { type AdminControls, handleAdmin } from "./admin.js";
import { sendJson } from "./reply.js";

export interface AdminServer {
  listen(host: string, port: number): Promise<number>;
  close(): Promise<void>;
}

export function createAdminServer(controls: AdminControls): AdminServer {
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://sim");
    if (!url.pathname.startsWith("/_sim/"))
      return void sendJson(res, 404, { data: null, message: `no admin endpoint ${url.pathname}\n` });
    void handleAdmin(controls, req, res, url.pathname.slice("/_sim".length), url.searchParams);
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
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
