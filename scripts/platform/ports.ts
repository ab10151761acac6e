/** TCP ports of the platform's processes: free ones for benchmarks, and waiting for one to open. */
import { connect, createServer } from "node:net";

/** A TCP port free right now on 127.0.0.1 (the OS picks it; closed again before it is handed out). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject()));
    });
  });
}

/** Whether something accepts connections on 127.0.0.1:`port`. */
export function isPortOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * Waits until 127.0.0.1:`port` accepts connections; fails after `timeoutMs`, or at once when
 * `gone()` says the process meant to open it has exited (its log says why).
 */
export async function waitForPort(
  port: number,
  what: string,
  { timeoutMs = 60_000, gone }: { timeoutMs?: number; gone?: () => boolean } = {},
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await isPortOpen(port)) return;
    if (gone?.()) throw new Error(`${what} exited before opening port ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not open port ${port} within ${timeoutMs} ms`);
}
