import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi } from "../test/fake-api";
import { api, csrfToken, resetRateLimitBackOff } from "./client";
import { resetServerClock, toServerTime } from "./server-clock";

afterEach(() => {
  resetRateLimitBackOff();
  resetServerClock();
  vi.useRealTimers();
});

describe("csrfToken", () => {
  it("over HTTPS reads only the __Host- cookie, so a planted plain cookie cannot shadow it", () => {
    const cookies = "proximity_csrf=planted; __Host-proximity_csrf=real";
    expect(csrfToken(cookies, true)).toBe("real");
    expect(csrfToken("proximity_csrf=planted", true)).toBeUndefined();
    expect(csrfToken("proximity_csrf=dev%3D", false)).toBe("dev=");
  });

  it("gives no token for a value that is not valid percent-encoding", () => {
    expect(csrfToken("__Host-proximity_csrf=%E0%A4%A", true)).toBeUndefined();
  });
});

describe("rate limits", () => {
  it("holds every call back until Retry-After has passed, then sends again", async () => {
    const seen = fakeApi({
      "GET /api/catalog/categories": () =>
        seen.length === 1
          ? { status: 429, body: { detail: "Too many requests, try again later" } }
          : { body: [] },
    });
    // The fake answers carry no Retry-After: the client waits its default of 5 s.
    const first = await api.GET("/api/catalog/categories");
    expect(first.response.status).toBe(429);
    const held = await api.GET("/api/catalog/categories");
    expect(held.response.status).toBe(429);
    expect(held.response.headers.get("retry-after")).toMatch(/^[1-5]$/);
    expect(seen).toHaveLength(1);

    vi.useFakeTimers({ now: Date.now() + 6_000, toFake: ["Date"] });
    const later = await api.GET("/api/catalog/categories");
    expect(later.response.status).toBe(200);
    expect(seen).toHaveLength(2);
  });
});

describe("the server's clock", () => {
  it("is taken from the Date header of the gateway's answers", async () => {
    const serverDate = new Date(Date.now() - 3 * 60_000); // the browser runs 3 minutes fast
    fakeApi({ "GET /api/catalog/categories": { body: [], headers: { date: serverDate.toUTCString() } } });
    await api.GET("/api/catalog/categories");
    // The header has whole seconds: within one of the server's time.
    expect(Math.abs(toServerTime(Date.now()) - serverDate.getTime())).toBeLessThan(2_000);
  });
});
