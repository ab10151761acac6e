import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route } from "react-router";
import { describe, expect, it, vi } from "vitest";
import type { UserQuota } from "../../../api/types";
import { type FakeRoutes, fakeApi, requestsTo } from "../../../test/fake-api";
import { makeAdmin, makeUser } from "../../../test/fixtures";
import { renderAt } from "../../../test/render";
import { AdminRoutes } from "../AdminRoutes";

const BOB = makeUser({ id: "00000000-0000-4000-8000-0000000000b0", username: "bob" });

function openUser(quota: Omit<UserQuota, "user_id">, more: FakeRoutes = {}) {
  const seen = fakeApi(
    {
      [`GET /api/users/${BOB.id}`]: { body: BOB },
      [`GET /api/users/${BOB.id}/quota`]: { body: { user_id: BOB.id, ...quota } },
      ...more,
    },
    { user: makeAdmin() },
  );
  renderAt(`/admin/users/${BOB.id}`, <Route path="/admin/*" element={<AdminRoutes />} />);
  return seen;
}

const quotaPanel = async () => screen.findByRole("region", { name: "App quota" });

describe("a user's app quota", () => {
  it("says a default of 0 allows no apps, and shows no bare 0 to edit", async () => {
    openUser({ max_apps: 0, used: 0, is_default: true });
    const panel = await quotaPanel();
    expect(await within(panel).findByText("No apps allowed", { selector: "strong" })).toBeInTheDocument();
    expect(panel).toHaveTextContent(/the default limit, for every user without a limit of their own/);
    expect(panel).toHaveTextContent("They cannot deploy apps.");
    expect(within(panel).getByRole("radio", { name: "The default limit" })).toBeChecked();
    expect(within(panel).queryByRole("spinbutton")).not.toBeInTheDocument();
  });

  it("gives a user a limit of their own, then puts them back on the default", async () => {
    const seen = openUser(
      { max_apps: 25, used: 3, is_default: true },
      {
        [`PUT /api/users/${BOB.id}/quota`]: (request) => {
          const { max_apps } = request.body as { max_apps: number };
          return {
            body: { user_id: BOB.id, max_apps: max_apps || 25, used: 3, is_default: max_apps === 0 },
          };
        },
      },
    );
    const panel = await quotaPanel();
    expect(await within(panel).findByText("At most 25 apps")).toBeInTheDocument();

    await userEvent.click(within(panel).getByRole("radio", { name: "A limit of their own" }));
    const field = within(panel).getByRole("spinbutton", { name: /Maximum apps/ });
    await userEvent.click(within(panel).getByRole("button", { name: "Save quota" }));
    // Empty (or 0, which the API reads as "the default"): said at the field, nothing sent.
    expect(field).toHaveAccessibleDescription(/Enter a whole number from 1 to 10,000\./);
    expect(requestsTo(seen, "PUT", `/api/users/${BOB.id}/quota`)).toHaveLength(0);

    await userEvent.type(field, "5");
    await userEvent.click(within(panel).getByRole("button", { name: "Save quota" }));
    expect(await within(panel).findByText("Quota saved.")).toBeInTheDocument();
    expect(panel).toHaveTextContent("At most 5 apps: a limit of their own.");

    await userEvent.click(within(panel).getByRole("radio", { name: "The default limit" }));
    await userEvent.click(within(panel).getByRole("button", { name: "Save quota" }));
    await vi.waitFor(() => expect(panel).toHaveTextContent("At most 25 apps: the default limit"));
    expect(requestsTo(seen, "PUT", `/api/users/${BOB.id}/quota`).map((request) => request.body)).toEqual([
      { max_apps: 5 },
      { max_apps: 0 },
    ]);
  });
});

describe("a user that is not there", () => {
  it("says which user was not found, once, and leads back to the users", async () => {
    fakeApi(
      { [`GET /api/users/${BOB.id}`]: { status: 404, body: { detail: "User not found" } } },
      { user: makeAdmin() },
    );
    renderAt(`/admin/users/${BOB.id}`, <Route path="/admin/*" element={<AdminRoutes />} />);
    expect(await screen.findByRole("heading", { level: 1, name: "User not found" })).toBeInTheDocument();
    expect(
      screen.getByRole("heading", { level: 2, name: "Deleted, or a wrong address" }),
    ).toBeInTheDocument();
    expect(screen.getByText(BOB.id)).toBeInTheDocument();
    expect(screen.queryByText("Not found")).not.toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Go to all users" })).toHaveAttribute("href", "/admin/users");
  });
});

describe("deleting a user", () => {
  it("confirms, deletes, and goes back to the list", async () => {
    const seen = openUser(
      { max_apps: 25, used: 0, is_default: true },
      {
        [`DELETE /api/users/${BOB.id}`]: { status: 204 },
        "GET /api/users": { body: { items: [], total: 0, page: 1, per_page: 20 } },
      },
    );
    await userEvent.click(await screen.findByRole("button", { name: "Delete" }));
    const dialog = screen.getByRole("dialog", { name: "Delete user bob?" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Delete user" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Users" })).toBeInTheDocument();
    expect(screen.getByTestId("location")).toHaveTextContent(/^\/admin\/users$/);
    expect(requestsTo(seen, "DELETE", `/api/users/${BOB.id}`)).toHaveLength(1);
  });
});

describe("an admin's own password, set from the users page", () => {
  const ME = makeAdmin({ id: "00000000-0000-4000-8000-0000000000a0", username: "root" });

  it("is changed only once confirmed, after saying it signs them out everywhere else", async () => {
    const seen = fakeApi(
      {
        [`GET /api/users/${ME.id}`]: { body: ME },
        [`GET /api/users/${ME.id}/quota`]: {
          body: { user_id: ME.id, max_apps: 25, used: 0, is_default: true },
        },
        [`PATCH /api/users/${ME.id}`]: { body: ME },
      },
      { user: ME },
    );
    renderAt(`/admin/users/${ME.id}`, <Route path="/admin/*" element={<AdminRoutes />} />);
    const panel = await screen.findByRole("region", { name: "Reset password" });
    await userEvent.type(within(panel).getByLabelText(/Your current password/), "old passphrase here");
    await userEvent.type(within(panel).getByLabelText(/^New password/), "a new long passphrase");
    await userEvent.click(within(panel).getByRole("button", { name: "Set new password" }));

    const dialog = screen.getByRole("dialog", { name: "Change your own password?" });
    expect(dialog).toHaveTextContent("You are signed out everywhere else");
    expect(requestsTo(seen, "PATCH", `/api/users/${ME.id}`)).toHaveLength(0);
    await userEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(requestsTo(seen, "PATCH", `/api/users/${ME.id}`)).toHaveLength(0);

    await userEvent.click(within(panel).getByRole("button", { name: "Set new password" }));
    await userEvent.click(
      within(screen.getByRole("dialog", { name: "Change your own password?" })).getByRole("button", {
        name: "Change my password",
      }),
    );
    expect(await within(panel).findByText(/Your password was changed/)).toBeInTheDocument();
    expect(requestsTo(seen, "PATCH", `/api/users/${ME.id}`).map((r) => r.body)).toEqual([
      { password: "a new long passphrase", current_password: "old passphrase here" },
    ]);
  });
});
