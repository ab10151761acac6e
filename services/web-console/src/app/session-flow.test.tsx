import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createMemoryRouter, RouterProvider } from "react-router";
import { afterEach, describe, expect, it } from "vitest";
import { SESSION_ENDED_DETAIL } from "../api/client";
import { announceSessionChange } from "../auth/session-channel";
import { fakeApi, setTestCookie } from "../test/fake-api";
import { makeUser } from "../test/fixtures";
import { TestProviders } from "../test/render";
import { routes } from "./routes";

const USER = makeUser({ username: "ada" });

/** The whole console (its own routes, behind its own sign-in) at `path`. */
function renderConsoleAt(path: string) {
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  render(
    <TestProviders>
      <RouterProvider router={router} />
    </TestProviders>,
  );
  return router;
}

afterEach(() => setTestCookie("proximity_csrf", null));

/**
 * Fires `event` until `check` holds: the console listens for focus and visibility from an effect
 * that runs after the page first shows, so one event fired at once can come before the listener
 * (seen on a loaded CI machine). Firing again is what a user switching back would do anyway.
 */
async function untilItHolds(event: () => void, check: () => void): Promise<void> {
  await waitFor(
    () => {
      event();
      check();
    },
    { timeout: 5_000 },
  );
}

describe("signing in", () => {
  it("sends a signed-out person to sign-in, then back to the page they asked for", async () => {
    let signedIn = false;
    const seen = fakeApi({
      "GET /api/auth/me": () =>
        signedIn ? { body: USER } : { status: 401, body: { detail: "Not authenticated" } },
      "POST /api/auth/login": () => {
        signedIn = true;
        setTestCookie("proximity_csrf", "tok%2Fen");
        return { body: { user: USER, csrf_token: "tok/en" } };
      },
      "GET /api/auth/tokens": { body: { items: [], total: 0, page: 1, per_page: 20 } },
    });
    const router = renderConsoleAt("/account?tab=x");
    expect(await screen.findByRole("heading", { name: "Sign in to Proximity" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/sign-in");
    expect(router.state.location.search).toBe(`?next=${encodeURIComponent("/account?tab=x")}`);

    await userEvent.type(screen.getByLabelText(/Username/), "ada");
    await userEvent.type(screen.getByLabelText(/Password/), "secret secret");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));

    await screen.findByText("ada");
    expect(router.state.location.pathname).toBe("/account");
    expect(router.state.location.search).toBe("?tab=x");
    expect(seen.find((r) => r.path === "/api/auth/login")?.body).toEqual({
      username: "ada",
      password: "secret secret",
    });
  });

  it("moves on to the page asked for once a sign-in in another tab made the session", async () => {
    let signedIn = false;
    fakeApi({
      "GET /api/auth/me": () =>
        signedIn ? { body: USER } : { status: 401, body: { detail: "Not authenticated" } },
      "GET /api/auth/tokens": { body: { items: [], total: 0, page: 1, per_page: 20 } },
    });
    const router = renderConsoleAt("/account/tokens");
    expect(await screen.findByRole("heading", { name: "Sign in to Proximity" })).toBeInTheDocument();
    // Signed in in another tab: the shared cookie now holds a session, and that tab says so.
    signedIn = true;
    announceSessionChange("signed-in");
    await waitFor(() => expect(router.state.location.pathname).toBe("/account/tokens"));
    expect(await screen.findByText("ada")).toBeInTheDocument();
  });

  it("moves on when it gets the focus after a sign-in elsewhere (no message needed)", async () => {
    let signedIn = false;
    fakeApi({
      "GET /api/auth/me": () =>
        signedIn ? { body: USER } : { status: 401, body: { detail: "Not authenticated" } },
      "GET /api/auth/sessions": { body: { items: [], total: 0, page: 1, per_page: 20 } },
    });
    const router = renderConsoleAt("/account");
    expect(await screen.findByRole("heading", { name: "Sign in to Proximity" })).toBeInTheDocument();
    window.dispatchEvent(new Event("focus"));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(router.state.location.pathname).toBe("/sign-in");
    signedIn = true;
    await untilItHolds(
      () => window.dispatchEvent(new Event("focus")),
      () => expect(router.state.location.pathname).toBe("/account"),
    );
  });

  it("shows the API's reason when sign-in is refused, and stays on the form", async () => {
    fakeApi({
      "GET /api/auth/me": { status: 401, body: { detail: "Not authenticated" } },
      "POST /api/auth/login": { status: 401, body: { detail: "Invalid username or password" } },
    });
    renderConsoleAt("/sign-in");
    await userEvent.type(await screen.findByLabelText(/Username/), "ada");
    await userEvent.type(screen.getByLabelText(/Password/), "wrong");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Invalid username or password");
  });
});

describe("a session that ends under open pages", () => {
  const page = (items: unknown[]) => ({ body: { items, total: items.length, page: 1, per_page: 100 } });
  const createdToken = {
    id: "44444444-4444-4444-8444-444444444444",
    name: "backup job",
    scopes: ["read"],
    created_at: "2025-01-01T00:00:00Z",
    expires_at: null,
    revoked_at: null,
    last_used_at: null,
    created_by_session_id: null,
    created_by_token_id: null,
    token: "prox_3f9a0c1d2e4b5a6c7d8e9f00",
  };

  const BOB = makeUser({ id: "99999999-9999-4999-8999-999999999999", username: "bob" });

  /**
   * The API stops accepting ada's session at her first new token; signing in renews it (as ada or
   * bob), here or "in another tab" (the shared cookie changes without this tab asking).
   */
  function endingSession() {
    let ended = false;
    let signedInAs = USER;
    const refused = { status: 401, body: { detail: "Not authenticated" } };
    const seen = fakeApi({
      "GET /api/auth/me": () => (ended ? refused : { body: signedInAs }),
      "GET /api/auth/tokens": () => (ended ? refused : page([])),
      "POST /api/auth/tokens": () => {
        if (!ended && seen.filter((r) => r.path === "/api/auth/tokens" && r.method === "POST").length === 1) {
          ended = true;
        }
        return ended ? refused : { status: 201, body: createdToken };
      },
      "POST /api/auth/login": (request) => {
        ended = false;
        signedInAs = (request.body as { username: string }).username === "ada" ? USER : BOB;
        return { body: { user: signedInAs, csrf_token: "t" } };
      },
      "POST /api/auth/logout": () => refused,
      "GET /api/apps": { body: { items: [], total: 0, page: 1, per_page: 50 } },
      "GET /api/catalog": { body: { items: [], total: 0, page: 1, per_page: 100 } },
    });
    const signInElsewhere = (user = USER) => {
      ended = false;
      signedInAs = user;
    };
    return { seen, signInElsewhere };
  }

  /** The browser losing or finding the network, as it tells the page. */
  function networkGoes(state: "offline" | "online") {
    Object.defineProperty(navigator, "onLine", { configurable: true, get: () => state === "online" });
    window.dispatchEvent(new Event(state));
  }

  async function typeAndSubmitToken(name: string) {
    const field = await screen.findByRole("textbox", { name: /^Name/ });
    await userEvent.type(field, name);
    await userEvent.click(screen.getByRole("button", { name: "Create token" }));
    return field;
  }

  it("asks for the password over the page, then carries on with what was typed", async () => {
    const { seen } = endingSession();
    const router = renderConsoleAt("/account/tokens");
    const field = await typeAndSubmitToken("backup job");

    const dialog = await screen.findByRole("dialog", { name: "Your session has ended" });
    expect(router.state.location.pathname).toBe("/account/tokens");
    expect(within(dialog).getByRole("textbox", { name: /Username/ })).toHaveValue("ada");
    expect(within(dialog).getByLabelText(/Password/)).toHaveFocus();
    // The page is hidden, and so is its title; it is still there, with what was typed.
    expect(field).not.toBeVisible();
    expect(document.title).toBe("Sign in again · Proximity");
    // Reads wait while the session is ended, even when the network comes back: nothing more is
    // asked of the API until someone signs in.
    const asked = seen.length;
    networkGoes("offline");
    networkGoes("online");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).toHaveLength(asked);

    await userEvent.type(within(dialog).getByLabelText(/Password/), "secret secret");
    await userEvent.click(within(dialog).getByRole("button", { name: "Sign in" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(router.state.location.pathname).toBe("/account/tokens");
    expect(field).toBeInTheDocument();
    expect(field).toHaveValue("backup job");
    expect(field).toBeVisible();
    // The refused write says what happened in words that still hold now.
    expect(screen.getByRole("alert")).toHaveTextContent(SESSION_ENDED_DETAIL);

    await userEvent.click(screen.getByRole("button", { name: "Create token" }));
    expect(await screen.findByRole("textbox", { name: "Token “backup job”" })).toBeInTheDocument();
    const posts = seen.filter((r) => r.method === "POST" && r.path === "/api/auth/tokens");
    expect(posts.map((r) => (r.body as { name: string }).name)).toEqual(["backup job", "backup job"]);
  });

  it("starts afresh at the home page when someone else signs in there", async () => {
    endingSession();
    const router = renderConsoleAt("/account/tokens");
    await typeAndSubmitToken("ada's job");
    const dialog = await screen.findByRole("dialog", { name: "Your session has ended" });
    const username = within(dialog).getByRole("textbox", { name: /Username/ });
    await userEvent.clear(username);
    await userEvent.type(username, "bob");
    await userEvent.type(within(dialog).getByLabelText(/Password/), "bob's passphrase");
    await userEvent.click(within(dialog).getByRole("button", { name: "Sign in" }));

    await waitFor(() => expect(router.state.location.pathname).toBe("/apps"));
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(await screen.findByText("bob")).toBeInTheDocument();
    expect(screen.queryByDisplayValue("ada's job")).not.toBeInTheDocument();
  });

  it("can be left by signing out, which leads to the sign-in page", async () => {
    endingSession();
    const router = renderConsoleAt("/account/tokens");
    await typeAndSubmitToken("backup job");
    const dialog = await screen.findByRole("dialog", { name: "Your session has ended" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Sign out" }));
    expect(await screen.findByRole("heading", { name: "Sign in to Proximity" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/sign-in");
    expect(screen.queryByDisplayValue("backup job")).not.toBeInTheDocument();
  });

  it("carries on without a password when ada signed in again in another tab", async () => {
    const { signInElsewhere } = endingSession();
    renderConsoleAt("/account/tokens");
    const field = await typeAndSubmitToken("backup job");
    await screen.findByRole("dialog", { name: "Your session has ended" });
    signInElsewhere();
    announceSessionChange("signed-in");
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(field).toBeVisible();
    expect(field).toHaveValue("backup job");
  });

  it("leaves ada's pages for bob's home page when bob signed in in another tab", async () => {
    const { signInElsewhere } = endingSession();
    const router = renderConsoleAt("/account/tokens");
    await typeAndSubmitToken("ada's job");
    await screen.findByRole("dialog", { name: "Your session has ended" });
    signInElsewhere(BOB);
    // This window gets the focus again (no message from the other tab needed).
    await untilItHolds(
      () => window.dispatchEvent(new Event("focus")),
      () => expect(router.state.location.pathname).toBe("/apps"),
    );
    expect(await screen.findByText("bob")).toBeInTheDocument();
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(screen.queryByDisplayValue("ada's job")).not.toBeInTheDocument();
  });

  it("goes to sign-in, with nothing kept, when ada signed out in another tab", async () => {
    fakeApi({ "GET /api/auth/me": { body: USER }, "GET /api/auth/tokens": page([]) });
    const router = renderConsoleAt("/account/tokens");
    await userEvent.type(await screen.findByRole("textbox", { name: /^Name/ }), "backup job");
    announceSessionChange("signed-out");
    expect(await screen.findByRole("heading", { name: "Sign in to Proximity" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/sign-in");
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(screen.queryByDisplayValue("backup job")).not.toBeInTheDocument();
  });

  it("signing out of a session that already ended goes straight to sign-in", async () => {
    fakeApi({
      "GET /api/auth/me": { body: USER },
      "POST /api/auth/logout": { status: 401, body: { detail: "Session expired" } },
    });
    const router = renderConsoleAt("/apps");
    await screen.findByText("ada");
    await userEvent.click(screen.getByRole("button", { name: "Sign out" }));
    expect(await screen.findByRole("heading", { name: "Sign in to Proximity" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/sign-in");
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
  });
});

describe("the CSRF header", () => {
  it("is sent on unsafe methods with the readable cookie's value, never on reads", async () => {
    setTestCookie("proximity_csrf", "abc%3D");
    const seen = fakeApi({
      "GET /api/auth/me": { body: USER },
      "POST /api/auth/logout": { status: 204 },
    });
    renderConsoleAt("/apps");
    await screen.findByText("ada");
    await userEvent.click(screen.getByRole("button", { name: "Sign out" }));
    await screen.findByRole("heading", { name: "Sign in to Proximity" });
    expect(seen.find((r) => r.path === "/api/auth/me")?.headers.get("x-csrf-token")).toBeNull();
    expect(seen.find((r) => r.path === "/api/auth/logout")?.headers.get("x-csrf-token")).toBe("abc=");
  });
});

describe("when Proximity cannot say who is signed in", () => {
  it("shows that it is unavailable (not the sign-in form) and tries again on request", async () => {
    let up = false;
    fakeApi({
      "GET /api/auth/me": () =>
        up ? { body: USER } : { status: 503, body: { detail: "Service unavailable" } },
    });
    renderConsoleAt("/account");
    expect(await screen.findByRole("heading", { name: "Service unavailable" })).toBeInTheDocument();
    expect(screen.queryByRole("heading", { name: "Sign in to Proximity" })).not.toBeInTheDocument();
    up = true;
    await userEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByText("ada")).toBeInTheDocument();
  });
});

describe("another tab signing in as someone else", () => {
  it("switches this tab to the person now signed in when it comes back into view", async () => {
    let current = USER;
    fakeApi({ "GET /api/auth/me": () => ({ body: current }) });
    renderConsoleAt("/account");
    await screen.findByText("ada");
    current = makeUser({ id: "00000000-0000-4000-8000-000000000002", username: "grace" });
    await untilItHolds(
      () => document.dispatchEvent(new Event("visibilitychange")),
      () => expect(screen.getByText("grace")).toBeInTheDocument(),
    );
    expect(screen.queryByText("ada")).not.toBeInTheDocument();
  });
});
