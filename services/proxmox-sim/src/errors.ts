/**
 * The one error type of the simulator: what a Perl `die` (500), a parameter exception (400) or an
 * auth failure (401) becomes on the wire. State code throws it so the HTTP edge can answer exactly
 * like pve-http-server would.
 */
export class PveError extends Error {
  readonly status: number;
  /** Per-parameter messages, only for 400 "Parameter verification failed.". */
  readonly errors?: Readonly<Record<string, string>>;

  constructor(status: number, message: string, errors?: Record<string, string>) {
    super(message);
    this.name = "PveError";
    this.status = status;
    if (errors) this.errors = errors;
  }
}

/** A plain `die` inside an API handler: HTTP 500 with the message. */
export function die(message: string): PveError {
  return new PveError(500, message);
}

/** `raise_param_exc`: HTTP 400 with per-parameter errors. */
export function paramError(errors: Record<string, string>): PveError {
  return new PveError(400, "Parameter verification failed.", errors);
}
