/**
 * proximityctl's exit codes, for scripts: each failure class has its own, so a runbook step can
 * tell "try again later" (1) from "fix the command" (2), "nothing by that id" (3) and "fix the
 * identity" (4).
 */
export const ExitCode = {
  /** The command did what it said. */
  ok: 0,
  /** A call failed: a service answered with an error, was unavailable or did not answer in time. */
  callFailed: 1,
  /** The command line is wrong (unknown command or option, missing argument, no identity given). */
  usage: 2,
  /** The thing named does not exist (gRPC NOT_FOUND). */
  notFound: 3,
  /** The identity is unusable or refused: unreadable bundle, not the sre identity, another platform's, or UNAUTHENTICATED / PERMISSION_DENIED. */
  denied: 4,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** The command line is wrong; the message says how. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** The identity bundle cannot be used (missing files, another service's, unreadable). */
export class IdentityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "IdentityError";
  }
}

/** The calls went through but the command could not do what it says (e.g. no result in time). */
export class CommandFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CommandFailed";
  }
}
