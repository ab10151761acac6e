import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route } from "react-router";
import { describe, expect, it } from "vitest";
import { fakeApi } from "../../../test/fake-api";
import { makeAdmin } from "../../../test/fixtures";
import { renderAt } from "../../../test/render";
import { AdminRoutes } from "../AdminRoutes";

const renderAdmin = (path: string) => renderAt(path, <Route path="/admin/*" element={<AdminRoutes />} />);

describe("add a user", () => {
  it("explains the password policy at the password field", async () => {
    fakeApi({}, { user: makeAdmin() });
    renderAdmin("/admin/users/new");
    expect(await screen.findByLabelText(/^Password/)).toHaveAccessibleDescription(
      /At least 12 characters .*not containing the username/,
    );
  });

  it("shows the API's refusal of the password at the password field", async () => {
    const seen = fakeApi(
      {
        "POST /api/users": {
          status: 400,
          body: {
            detail: "Invalid request",
            errors: [{ field: "password", message: "is too common" }],
          },
        },
      },
      { user: makeAdmin() },
    );
    const user = userEvent.setup();
    renderAdmin("/admin/users/new");
    await user.type(await screen.findByRole("textbox", { name: /^Username/ }), "bob");
    await user.type(screen.getByLabelText(/^Password/), "correct horse battery");
    await user.click(screen.getByRole("checkbox", { name: "Administrator" }));
    await user.click(screen.getByRole("button", { name: "Add user" }));

    const password = screen.getByLabelText(/^Password/);
    expect(await within(screen.getByRole("alert")).findByText("Invalid request")).toBeInTheDocument();
    expect(password).toHaveAttribute("aria-invalid", "true");
    expect(password).toHaveAccessibleDescription(/is too common/);
    expect(seen.find((request) => request.method === "POST")?.body).toEqual({
      username: "bob",
      password: "correct horse battery",
      is_admin: true,
    });
  });

  it("says every problem at its field at once, in plain words, before sending anything", async () => {
    const seen = fakeApi({}, { user: makeAdmin() });
    const user = userEvent.setup();
    renderAdmin("/admin/users/new");
    await user.type(await screen.findByRole("textbox", { name: /^Username/ }), "bob smith");
    await user.type(screen.getByLabelText(/^Password/), "short");
    await user.click(screen.getByRole("button", { name: "Add user" }));
    expect(screen.getByRole("textbox", { name: /^Username/ })).toHaveAccessibleDescription(
      /Use letters, digits/,
    );
    expect(screen.getByLabelText(/^Password/)).toHaveAccessibleDescription(/Use at least 12 characters/);
    expect(seen.filter((request) => request.method === "POST")).toHaveLength(0);
  });

  it("puts a taken username at the username field", async () => {
    fakeApi(
      { "POST /api/users": { status: 409, body: { detail: "Username is already taken" } } },
      { user: makeAdmin() },
    );
    const user = userEvent.setup();
    renderAdmin("/admin/users/new");
    await user.type(await screen.findByRole("textbox", { name: /^Username/ }), "alice");
    await user.type(screen.getByLabelText(/^Password/), "correct horse battery");
    await user.click(screen.getByRole("button", { name: "Add user" }));
    expect(await screen.findByRole("textbox", { name: /^Username/ })).toHaveAccessibleDescription(
      /Username is already taken/,
    );
  });
});
