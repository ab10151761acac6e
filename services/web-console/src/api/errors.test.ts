import { describe, expect, it } from "vitest";
import { ApiError, toApiError, unwrap } from "./errors";

describe("toApiError", () => {
  it("keeps the API's detail and field errors", () => {
    const error = toApiError(400, {
      detail: "Invalid input",
      errors: [{ field: "hostname", message: "taken" }],
    });
    expect(error.message).toBe("Invalid input");
    expect(error.fieldMessage("hostname")).toBe("taken");
    expect(error.fieldMessage("node")).toBeUndefined();
  });

  it("words a status without a detail in plain language", () => {
    expect(toApiError(503, "<html>bad gateway</html>").message).toMatch(/unavailable/);
    expect(toApiError(404, null).message).toMatch(/not found/i);
  });

  it("reads Retry-After", () => {
    expect(toApiError(429, { detail: "slow" }, "7").retryAfterSeconds).toBe(7);
  });
});

describe("unwrap", () => {
  it("throws an ApiError for an error answer and status 0 when the network fails", async () => {
    const response = new Response(null, { status: 409 });
    await expect(unwrap(Promise.resolve({ error: { detail: "busy" }, response }))).rejects.toMatchObject({
      status: 409,
      message: "busy",
    });
    await expect(unwrap(Promise.reject(new TypeError("fetch failed")))).rejects.toBeInstanceOf(ApiError);
  });
});
