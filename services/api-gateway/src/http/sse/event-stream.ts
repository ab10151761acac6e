import type { FastifyReply } from "fastify";

/** One server-sent event; `data` is serialised as JSON on a single line. */
export interface ServerSentEvent {
  readonly event: string;
  readonly data: unknown;
  readonly id?: number | string;
}

/** An open `text/event-stream` response. */
export interface EventStream {
  readonly closed: boolean;
  send(event: ServerSentEvent): void;
  /** A comment line (`: text`), ignored by clients; keeps proxies from timing the stream out. */
  comment(text: string): void;
  /** Ends the response (idempotent). */
  close(): void;
  /** Called once when the stream ends, by close() or because the client went away. */
  onClose(listener: () => void): void;
}

/** Reconnect delay suggested to EventSource clients. */
const RETRY_MS = 3_000;

/**
 * Takes the response over from fastify (reply.hijack) and opens an event stream on it. Headers
 * fastify or its plugins already set on the reply (request id, helmet's security headers) are
 * kept; caching and proxy buffering are turned off so each event reaches the client at once.
 */
export function openEventStream(reply: FastifyReply): EventStream {
  reply.hijack();
  const res = reply.raw;
  const headers: Record<string, string | number | string[]> = {};
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (value !== undefined) headers[name] = value;
  }
  res.writeHead(200, {
    ...headers,
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    "x-accel-buffering": "no",
    connection: "keep-alive",
  });
  res.write(`retry: ${RETRY_MS}\n\n`);

  let closed = false;
  const listeners: (() => void)[] = [];
  const finish = () => {
    if (closed) return;
    closed = true;
    for (const listener of listeners.splice(0)) listener();
  };
  res.on("close", finish);
  res.on("error", finish);

  return {
    get closed() {
      return closed;
    },
    send({ event, data, id }) {
      if (closed) return;
      // JSON.stringify never emits a raw newline, so one `data:` line always holds the whole value.
      const idLine = id === undefined ? "" : `id: ${id}\n`;
      res.write(`${idLine}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    comment(text) {
      if (!closed) res.write(`: ${text.replaceAll(/[\r\n]/g, " ")}\n\n`);
    },
    close() {
      if (closed) return;
      res.end();
      finish();
    },
    onClose(listener) {
      if (closed) listener();
      else listeners.push(listener);
    },
  };
}
