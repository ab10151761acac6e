import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createMemoryRouter, RouterProvider } from "react-router";
import { afterEach, describe, expect, it } from "vitest";
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

describe("an expired session", () => {
  it("returns to sign-in with a notice when an API call answers 401", async () => {
    let expired = false;
    fakeApi({
      "GET /api/auth/me": () =>
        expired ? { status: 401, body: { detail: "Session expired" } } : { body: USER },
      "POST /api/auth/logout": () => {
        expired = true;
        return { status: 401, body: { detail: "Session expired" } };
      },
    });
    const router = renderConsoleAt("/apps");
    await screen.findByText("ada");
    // Any 401 ends the session: signing out against an already ended session does too.
    await userEvent.click(screen.getByRole("button", { name: "Sign out" }));
    expect(await screen.findByRole("heading", { name: "Sign in to Proximity" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/sign-in");
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
    document.dispatchEvent(new Event("visibilitychange"));
    expect(await screen.findByText("grace")).toBeInTheDocument();
    expect(screen.queryByText("ada")).not.toBeInTheDocument();
  });
});
