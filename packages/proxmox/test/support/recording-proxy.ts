/**
 * An HTTP proxy that sits between the real client and a real API server (the simulator) and keeps
 * every exchange: the request as the server receives it and the `{data}` it answered. Tests hold
 * both sides to the official schema without the client or the server knowing.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { RecordedRequest } from "@proximity/pve-schema";

export interface Exchange extends RecordedRequest {
  readonly status: number;
  /** The parsed body's `data` (undefined when the body was not JSON). */
  readonly data: unknown;
}

export interface RecordingProxy {
  readonly url: string;
  readonly exchanges: Exchange[];
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1 in front of `target` (e.g. "http://127.0.0.1:40123"). */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const exchanges: Exchange[] = [];
  const server = createServer((req, res) => {
    forward(target, req, res, exchanges).catch((err) => {
      res.writeHead(502).end(JSON.stringify({ data: null, message: String(err) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    exchanges,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function forward(
  target: string,
  req: IncomingMessage,
  res: ServerResponse,
  exchanges: Exchange[],
): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
  const body = Buffer.concat(chunks);
  const headers = Object.fromEntries(
    Object.entries(req.headers).filter(([k]) => !["host", "connection", "content-length"].includes(k)),
  ) as Record<string, string>;
  const method = req.method ?? "GET";
  const upstream = await fetch(`${target}${req.url}`, {
    method,
    headers,
    ...(body.length > 0 ? { body } : {}),
  });
  const text = await upstream.text();
  const url = new URL(req.url ?? "/", "http://x");
  const params: Record<string, string> = Object.fromEntries(url.searchParams);
  if (body.length > 0) Object.assign(params, Object.fromEntries(new URLSearchParams(body.toString("utf8"))));
  let data: unknown;
  try {
    data = (JSON.parse(text) as { data?: unknown }).data;
  } catch {
    data = undefined;
  }
  exchanges.push({
    method,
    path: url.pathname.replace(/^\/api2\/json/, ""),
    params,
    status: upstream.status,
    data,
  });
  res.writeHead(upstream.status, upstream.statusText, {
    "content-type": upstream.headers.get("content-type") ?? "application/json",
  });
  res.end(text);
}
