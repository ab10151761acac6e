/**
 * A minimal server-sent events reader over fetch, for GET /api/apps/{id}/events: collects the
 * events as they arrive so a test can wait for one, and closes the connection when asked.
 */
import { eventually } from "@proximity/testing";

export interface SseEvent {
  readonly event: string;
  readonly id?: string;
  // biome-ignore lint/suspicious/noExplicitAny: asserted field by field in tests
  readonly data: any;
}

export interface SseConnection {
  readonly status: number;
  /** Every event received so far, in order. */
  readonly events: SseEvent[];
  /** The body of a non-stream answer (404, 401…), parsed. */
  // biome-ignore lint/suspicious/noExplicitAny: asserted field by field in tests
  readonly body?: any;
  /** Waits until an event matching `predicate` has arrived; returns it. */
  waitFor(predicate: (e: SseEvent) => boolean, what: string, timeoutMs?: number): Promise<SseEvent>;
  close(): void;
}

export async function openSse(
  url: string,
  { cookie, lastEventId }: { cookie?: string; lastEventId?: string } = {},
): Promise<SseConnection> {
  const abort = new AbortController();
  const headers: Record<string, string> = { accept: "text/event-stream" };
  if (cookie) headers.cookie = cookie;
  if (lastEventId !== undefined) headers["last-event-id"] = lastEventId;
  const res = await fetch(url, { headers, signal: abort.signal });
  const events: SseEvent[] = [];
  const isStream = (res.headers.get("content-type") ?? "").startsWith("text/event-stream");
  let body: unknown;
  if (!isStream) {
    const text = await res.text();
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  } else if (res.body) {
    void pump(res.body, events).catch(() => undefined); // ends with abort()
  }
  return {
    status: res.status,
    events,
    body,
    waitFor: (predicate, what, timeoutMs = 30_000) =>
      eventually(async () => events.find(predicate), { timeoutMs, intervalMs: 50, what }),
    close: () => abort.abort(),
  };
}

async function pump(stream: ReadableStream<Uint8Array>, events: SseEvent[]): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const fields: Record<string, string> = {};
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) continue; // comment (heartbeat)
        const colon = line.indexOf(":");
        if (colon <= 0) continue;
        fields[line.slice(0, colon)] = line.slice(colon + 1).replace(/^ /, "");
      }
      if (!fields.event || fields.data === undefined) continue;
      events.push({ event: fields.event, id: fields.id, data: JSON.parse(fields.data) });
    }
  }
}
