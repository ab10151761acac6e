import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";

/** A TCP relay to a server (PostgreSQL, NATS) that a test cuts and restores: an outage without stopping it. */
export interface TcpRelay {
  readonly port: number;
  /** Cuts every connection and refuses new ones. */
  down(): void;
  up(): void;
  close(): Promise<void>;
}

/** Relays 127.0.0.1:<port> to `target`'s host and port. */
export function startTcpRelay(target: URL, defaultPort = 5432): Promise<TcpRelay> {
  const host = target.hostname;
  const port = Number(target.port || defaultPort);
  const sockets = new Set<Socket>();
  let open = true;
  const server: Server = createServer((client) => {
    if (!open) return void client.destroy();
    const upstream = tcpConnect({ host, port });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      resolve({
        port: typeof address === "object" && address ? address.port : 0,
        down: () => {
          open = false;
          for (const s of sockets) s.destroy();
        },
        up: () => {
          open = true;
        },
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      });
    }),
  );
}
