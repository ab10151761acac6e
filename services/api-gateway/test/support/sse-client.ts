import type { Auth } from "./http-client.js";

/** One parsed server-sent event, or a comment line (`: text`). */
export interface SseEvent {
  readonly event?: string;
  readonly id?: string;
  // biome-ignore lint/suspicious/noExplicitAny: data is JSON asserted field by field
  readonly data?: any;
  readonly comment?: string;
}

/** An event stream opened with fetch; a non-stream answer (401, 404, 429…) is kept as JSON. */
export interface SseConnection {
  readonly status: number;
  readonly headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: error bodies are asserted field by field
  readonly body: any;
  /** Everything received so far, in order. */
  readonly events: SseEvent[];
  /** Resolves with the first received event (past or future) that matches, or rejects after timeoutMs. */
  waitFor(match: (e: SseEvent) => boolean, what: string, timeoutMs?: number): Promise<SseEvent>;
  /** Resolves once the server ended the stream. */
  readonly ended: Promise<void>;
  close(): void;
}

function parseBlock(block: string): SseEvent | undefined {
  const fields: Record<string, string> = {};
  let comment: string | undefined;
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) comment = line.slice(1).trim();
    const match = /^([a-z]+): ?(.*)$/.exec(line);
    if (match) fields[match[1]!] = match[2]!;
  }
  if (fields.retry !== undefined && !fields.event) return undefined;
  if (comment !== undefined && !fields.event) return { comment };
  return {
    event: fields.event,
    id: fields.id,
    data: fields.data === undefined ? undefined : JSON.parse(fields.data),
  };
}

export async function openSse(
  baseUrl: string,
  path: string,
  options: { auth?: Auth; headers?: Record<string, string> } = {},
): Promise<SseConnection> {
  const headers: Record<string, string> = { accept: "text/event-stream", ...options.headers };
  if (options.auth?.cookie) headers.cookie = options.auth.cookie;
  if (options.auth?.bearer) headers.authorization = `Bearer ${options.auth.bearer}`;
  const abort = new AbortController();
  const res = await fetch(new URL(path, baseUrl), { headers, signal: abort.signal });
  const events: SseEvent[] = [];
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const w of [...waiters]) w();
  };
  let body: unknown;
  let ended: Promise<void> = Promise.resolve();
  if (!res.headers.get("content-type")?.startsWith("text/event-stream")) {
    const text = await res.text();
    body = text ? JSON.parse(text) : undefined;
  } else {
    ended = (async () => {
      const decoder = new TextDecoder();
      let buffer = "";
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          let end = buffer.indexOf("\n\n");
          while (end >= 0) {
            const parsed = parseBlock(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
            if (parsed) events.push(parsed);
            end = buffer.indexOf("\n\n");
          }
          notify();
        }
      } catch {
        // aborted by close()
      }
    })();
  }
  return {
    status: res.status,
    headers: res.headers,
    body,
    events,
    ended,
    waitFor(match, what, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find(match);
          if (!found) return;
          cleanup();
          resolve(found);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(events)}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    close: () => abort.abort(),
  };
}
