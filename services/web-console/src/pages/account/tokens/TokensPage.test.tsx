import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route } from "react-router";
import { describe, expect, it } from "vitest";
import { fakeApi } from "../../../test/fake-api";
import { makeAdmin } from "../../../test/fixtures";
import { renderAt } from "../../../test/render";
import { AccountPage } from "../AccountPage";

const SECRET = "prox_3f9a0c1d2e4b5a6c7d8e9f00";
const ci = {
  id: "44444444-4444-4444-8444-444444444444",
  name: "ci",
  scopes: ["read"],
  created_at: "2025-01-01T00:00:00Z",
  expires_at: "2025-04-01T00:00:00Z",
  revoked_at: null,
  last_used_at: null,
  created_by_session_id: null,
  created_by_token_id: null,
};
const page = (items: unknown[]) => ({ body: { items, total: items.length, page: 1, per_page: 100 } });
const renderAccount = (path: string) => renderAt(path, <Route path="/account/*" element={<AccountPage />} />);

describe("API tokens", () => {
  it("shows a new token once, and not after leaving the page", async () => {
    const seen = fakeApi(
      {
        "GET /api/auth/tokens": page([]),
        "POST /api/auth/tokens": (request) => ({
          status: 201,
          body: {
            ...ci,
            name: "backup",
            scopes: ["read", "write"],
            token: SECRET,
            ...(request.body as object),
          },
        }),
        "GET /api/auth/sessions": page([]),
      },
      { user: makeAdmin() },
    );
    const user = userEvent.setup();
    renderAccount("/account/tokens");

    await user.type(await screen.findByRole("textbox", { name: /^Name/ }), "backup");
    await user.click(screen.getByRole("button", { name: "Create token" }));

    const field = await screen.findByRole("textbox", { name: "Token “backup”" });
    expect(field).toHaveValue(SECRET);
    expect(field).toHaveAttribute("readonly");
    expect(field).toHaveAccessibleDescription(/only time the token is shown/);
    expect(seen.find((request) => request.method === "POST")?.body).toEqual({
      name: "backup",
      scopes: ["read", "write"],
    });

    const nav = screen.getByRole("navigation", { name: "Account sections" });
    await user.click(within(nav).getByRole("link", { name: "Sessions" }));
    await screen.findByRole("heading", { level: 1, name: "Sessions" });
    await user.click(within(nav).getByRole("link", { name: "API tokens" }));
    await screen.findByRole("heading", { level: 1, name: "API tokens" });
    expect(screen.queryByDisplayValue(SECRET)).not.toBeInTheDocument();
    expect(screen.queryByText(SECRET)).not.toBeInTheDocument();
  });

  it("copies the token, or says how to copy it by hand when the clipboard is not available", async () => {
    fakeApi(
      {
        "GET /api/auth/tokens": page([]),
        "POST /api/auth/tokens": { status: 201, body: { ...ci, token: SECRET } },
      },
      { user: makeAdmin() },
    );
    const user = userEvent.setup();
    renderAccount("/account/tokens");
    await user.type(await screen.findByRole("textbox", { name: /^Name/ }), "ci");
    await user.click(screen.getByRole("button", { name: "Create token" }));

    await user.click(await screen.findByRole("button", { name: "Copy" }));
    expect(await screen.findByText("Copied to the clipboard.")).toBeInTheDocument();
    expect(await navigator.clipboard.readText()).toBe(SECRET);

    // userEvent.setup() installed that clipboard; without one the page says what to do instead.
    Object.defineProperty(navigator, "clipboard", { value: undefined, configurable: true });
    await user.click(screen.getByRole("button", { name: "Copy" }));
    expect(await screen.findByText(/Copying is not available here/)).toBeInTheDocument();
  });

  it("revokes a token only after a confirmation that says what stops working", async () => {
    const seen = fakeApi(
      {
        "GET /api/auth/tokens": page([ci]),
        "DELETE /api/auth/tokens/:id": { status: 204 },
      },
      { user: makeAdmin() },
    );
    const user = userEvent.setup();
    renderAccount("/account/tokens");

    await user.click(await screen.findByRole("button", { name: "Revoke ci" }));
    const dialog = screen.getByRole("dialog", { name: "Revoke the token “ci”?" });
    expect(dialog).toHaveTextContent(/stops working at once/);
    expect(dialog).toHaveTextContent(/created with it are revoked too/);
    expect(seen.some((request) => request.method === "DELETE")).toBe(false);

    await user.click(within(dialog).getByRole("button", { name: "Revoke token" }));
    await waitFor(() =>
      expect(seen.find((request) => request.method === "DELETE")?.path).toBe(`/api/auth/tokens/${ci.id}`),
    );
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
  });

  it("offers the admin scope to admins", async () => {
    fakeApi({ "GET /api/auth/tokens": page([]) }, { user: makeAdmin() });
    renderAccount("/account/tokens");
    expect(await screen.findByRole("checkbox", { name: "Admin" })).toBeInTheDocument();
  });

  it("does not offer the admin scope to other users", async () => {
    fakeApi({ "GET /api/auth/tokens": page([]) });
    renderAccount("/account/tokens");
    expect(await screen.findByRole("checkbox", { name: "Read" })).toBeChecked();
    expect(screen.getByRole("checkbox", { name: "Write" })).toBeChecked();
    expect(screen.queryByRole("checkbox", { name: "Admin" })).not.toBeInTheDocument();
  });
});
