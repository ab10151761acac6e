import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "@proximity/logger";
import { metricsRegistry } from "./registry.js";

export interface MetricsServerOptions {
  readonly logger: Logger;
  /** Address to bind (METRICS_HOST); default 127.0.0.1, never every interface unless asked. */
  readonly host?: string;
  /** METRICS_PORT: 0 means no server at all. */
  readonly port: number;
}

/** A running metrics endpoint. */
export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves the process registry as Prometheus text at `GET /metrics` (and nothing else) on a port
 * of its own, apart from any public API: metrics tell too much about the platform to be public.
 * Resolves undefined when `port` is 0 (metrics off).
 * @example
 * const metrics = await startMetricsServer({ logger, host: config.METRICS_HOST, port: config.METRICS_PORT });
 * if (metrics) onStop("metrics server", () => metrics.close());
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer | undefined> {
  if (options.port === 0) return undefined;
  const registry = metricsRegistry();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain" }).end("method not allowed\n");
      return;
    }
    registry.metrics().then(
      (text) =>
        res.writeHead(200, { "content-type": registry.contentType }).end(req.method === "HEAD" ? "" : text),
      (err: unknown) => {
        options.logger.error({ err }, "metrics collection failed");
        res.writeHead(500, { "content-type": "text/plain" }).end("metrics collection failed\n");
      },
    );
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  options.logger.info({ host, port }, "metrics server listening");
  return {
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // A scraper's keep-alive connection must not hold the shutdown.
        server.closeAllConnections();
      }),
  };
}
