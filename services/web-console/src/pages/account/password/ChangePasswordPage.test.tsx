import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route } from "react-router";
import { describe, expect, it } from "vitest";
import { fakeApi } from "../../../test/fake-api";
import { renderAt } from "../../../test/render";
import { AccountPage } from "../AccountPage";

const renderAccount = (path: string) => renderAt(path, <Route path="/account/*" element={<AccountPage />} />);

async function fill(
  user: ReturnType<typeof userEvent.setup>,
  current: string,
  next: string,
  confirm: string,
) {
  await user.type(await screen.findByLabelText(/^Current password/), current);
  await user.type(screen.getByLabelText(/^New password/), next);
  await user.type(screen.getByLabelText(/^Confirm new password/), confirm);
  await user.click(screen.getByRole("button", { name: "Change password" }));
}

describe("change password", () => {
  it("catches a mistyped confirmation at that field without asking the API", async () => {
    const seen = fakeApi({});
    const user = userEvent.setup();
    renderAccount("/account");
    expect(await screen.findByLabelText(/^New password/)).toHaveAccessibleDescription(
      /At least 12 characters/,
    );
    await fill(user, "old password here", "a new long passphrase", "a new long passphrasf");
    expect(screen.getByLabelText(/^Confirm new password/)).toHaveAccessibleDescription(/does not match/);
    expect(seen.some((request) => request.method === "POST")).toBe(false);
  });

  it("shows a wrong current password at its field", async () => {
    fakeApi({
      "POST /api/auth/password": {
        status: 400,
        body: {
          detail: "Invalid request",
          errors: [{ field: "current_password", message: "is not correct" }],
        },
      },
    });
    const user = userEvent.setup();
    renderAccount("/account");
    await fill(user, "wrong", "a new long passphrase", "a new long passphrase");
    expect(await screen.findByLabelText(/^Current password/)).toHaveAccessibleDescription(/is not correct/);
  });

  it("says which other sessions ended and which tokens were revoked", async () => {
    const seen = fakeApi({ "POST /api/auth/password": { body: { sessions_ended: 2, tokens_revoked: 1 } } });
    const user = userEvent.setup();
    renderAccount("/account");
    await fill(user, "old password here", "a new long passphrase", "a new long passphrase");
    expect(
      await screen.findByText(/2 other sessions were ended and 1 API token was revoked/),
    ).toBeInTheDocument();
    expect(seen.find((request) => request.method === "POST")?.body).toEqual({
      current_password: "old password here",
      new_password: "a new long passphrase",
    });
    expect(screen.getByLabelText(/^New password/)).toHaveValue("");
  });
});
