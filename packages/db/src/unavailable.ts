import { UnavailableError } from "@proximity/errors";

/** What clients are told when the database did not answer in time (details stay in `cause`). */
export const DATABASE_UNAVAILABLE = "The database is unavailable or too slow, try again later";

/**
 * SQLSTATEs that mean "the database could not serve this in time", not "the request was wrong":
 * statement_timeout or a cancel (57014), idle_in_transaction_session_timeout (25P03), the server
 * shutting down or the connection killed by an administrator (57P01–57P03), too many connections
 * (53300).
 */
const UNAVAILABLE_SQLSTATES: ReadonlySet<string> = new Set([
  "57014",
  "25P03",
  "57P01",
  "57P02",
  "57P03",
  "53300",
]);

/** Socket errors reaching or talking to the server. */
const SOCKET_ERRORS: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
]);

/**
 * pg's own errors when a connection cannot be had or is lost (the pool's acquire timeout, a
 * connect timeout, a socket dropped under a query): pg gives them no code, only these messages.
 */
const CONNECTION_FAILURE =
  /^(timeout exceeded when trying to connect|Connection terminated|connection timeout|Client has encountered a connection error|Client was closed)/i;

/** True for a database failure that says nothing about the request: worth a 503 and a retry. */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (typeof code === "string" && (UNAVAILABLE_SQLSTATES.has(code) || SOCKET_ERRORS.has(code))) return true;
  return typeof message === "string" && CONNECTION_FAILURE.test(message);
}

/** `err` as an UnavailableError when the database could not serve in time; otherwise unchanged. */
export function toUnavailable(err: unknown): unknown {
  return isDatabaseUnavailable(err) ? new UnavailableError(DATABASE_UNAVAILABLE, err) : err;
}
