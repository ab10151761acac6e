import { describe, expect, it } from "vitest";
import {
  InvalidTransitionError,
  isInputDataError,
  isTransient,
  NotFoundError,
  toProximityError,
  UnavailableError,
} from "./index.js";

describe("errors", () => {
  it("InvalidTransitionError - is a 409-class conflict naming both states", () => {
    const err = new InvalidTransitionError("app", "running", "deploying");
    expect(err.code).toBe("CONFLICT");
    expect(err.message).toBe("Cannot change app from running to deploying");
  });

  it("toProximityError - hides unexpected errors behind a generic message", () => {
    const wrapped = toProximityError(new Error("relation secrets does not exist"));
    expect(wrapped.code).toBe("INTERNAL");
    expect(wrapped.message).toBe("Internal error");
    const known = new NotFoundError("App not found");
    expect(toProximityError(known)).toBe(known);
  });

  it("toProximityError - a PostgreSQL data error caused by a value is a validation error, not a 500", () => {
    // What node-postgres throws for NUL in text (22021) and in jsonb (22P05).
    for (const code of ["22021", "22P05", "22P02", "22003", "22001", "22025"]) {
      const pgError = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), {
        code,
        severity: "ERROR",
      });
      const mapped = toProximityError(pgError);
      expect({ code, mapped: mapped.code, message: mapped.message }).toEqual({
        code,
        mapped: "INVALID_ARGUMENT",
        message: "Invalid input: a value is not acceptable",
      });
      expect(mapped.cause).toBe(pgError);
    }
  });

  it("isInputDataError - other database errors and look-alikes stay internal", () => {
    const pg = (code: string) => Object.assign(new Error("x"), { code, severity: "ERROR" });
    expect(isInputDataError(pg("22012"))).toBe(false); // division by zero: a bug, not input
    expect(isInputDataError(pg("23505"))).toBe(false); // unique violation: mapped where it is expected
    expect(isInputDataError(Object.assign(new Error("x"), { code: "22021" }))).toBe(false); // not from the database
    expect(isInputDataError(null)).toBe(false);
    expect(toProximityError(pg("42P01")).code).toBe("INTERNAL");
  });

  it("isTransient - only dependency failures and timeouts are retryable", () => {
    expect(isTransient(new UnavailableError())).toBe(true);
    expect(isTransient(new NotFoundError())).toBe(false);
    expect(isTransient(new Error("x"))).toBe(false);
  });
});
