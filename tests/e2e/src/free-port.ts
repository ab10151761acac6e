import { createServer } from "node:net";

/**
 * A free TCP port on 127.0.0.1. Services that call each other need their peers' addresses before
 * they start, so the platform reserves ports up front instead of binding port 0.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
