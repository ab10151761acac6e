/**
 * The `/api2/json` wire format: `{"data": …}` on success; on failure the status line carries the
 * message's first line as reason phrase and the body `{"data":null,"message":"<text>\n"}`.
 */
import type { ServerResponse } from "node:http";
import { PveError } from "../errors.js";

export function sendJson(res: ServerResponse, status: number, body: unknown, reason?: string): void {
  const text = JSON.stringify(body);
  res.writeHead(status, reason, {
    "content-type": "application/json;charset=UTF-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "max-age=0",
    pragma: "no-cache",
    server: "pve-api-daemon/3.0",
  });
  res.end(text);
}

export function sendData(
  res: ServerResponse,
  data: unknown,
  extra: Readonly<Record<string, unknown>> = {},
): void {
  sendJson(res, 200, { data, ...extra });
}

/** Sends any thrown value as PVE would (unknown errors become a plain 500). */
export function sendError(res: ServerResponse, err: unknown): void {
  const e =
    err instanceof PveError ? err : new PveError(500, err instanceof Error ? err.message : String(err));
  const firstLine = e.message.split(/\r?\n/)[0] ?? "";
  // A reason phrase must be printable ASCII; pve-http-server falls back to a generic one otherwise.
  const reason = /^[\x20-\x7e]*$/.test(firstLine) && firstLine !== "" ? firstLine : undefined;
  const body: Record<string, unknown> = { data: null, message: `${e.message}\n` };
  if (e.errors) body.errors = e.errors;
  sendJson(res, e.status, body, reason);
}
