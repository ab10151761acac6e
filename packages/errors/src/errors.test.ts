import { describe, expect, it } from "vitest";
import {
  InvalidTransitionError,
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

  it("isTransient - only dependency failures and timeouts are retryable", () => {
    expect(isTransient(new UnavailableError())).toBe(true);
    expect(isTransient(new NotFoundError())).toBe(false);
    expect(isTransient(new Error("x"))).toBe(false);
  });
});
