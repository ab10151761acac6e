import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { Route } from "react-router";
import { describe, expect, it } from "vitest";
import { AccountPage } from "../pages/account/AccountPage";
import { fakeApi } from "../test/fake-api";
import { renderAt } from "../test/render";
import { ConfirmDialog } from "./ConfirmDialog";

const renderAccount = (path: string) => renderAt(path, <Route path="/account/*" element={<AccountPage />} />);

function Dialog({ withField = false, busy = false }: { withField?: boolean; busy?: boolean }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Open
      </button>
      <ConfirmDialog
        open={open}
        title="Delete it?"
        confirmLabel="Delete"
        busy={busy}
        onConfirm={() => undefined}
        onCancel={() => setOpen(false)}
      >
        {withField ? <input aria-label="Reason" /> : <p>It is gone for good.</p>}
      </ConfirmDialog>
    </>
  );
}

describe("keyboard focus", () => {
  it("opens a dialog without fields on Cancel, and one with fields on its first field", async () => {
    const user = userEvent.setup();
    const { unmount } = render(<Dialog />);
    await user.click(screen.getByRole("button", { name: "Open" }));
    expect(screen.getByRole("button", { name: "Cancel" })).toHaveFocus();
    unmount();

    render(<Dialog withField />);
    await user.click(screen.getByRole("button", { name: "Open" }));
    expect(screen.getByRole("textbox", { name: "Reason" })).toHaveFocus();
  });

  it("keeps a busy dialog's buttons focusable, announced as unavailable", async () => {
    const user = userEvent.setup();
    render(<Dialog busy />);
    await user.click(screen.getByRole("button", { name: "Open" }));
    const cancel = screen.getByRole("button", { name: "Cancel" });
    expect(cancel).toHaveFocus();
    expect(cancel).toHaveAttribute("aria-disabled", "true");
    expect(cancel).not.toBeDisabled();
    expect(screen.getByRole("button", { name: "Working…" })).not.toBeDisabled();
  });

  it("keeps the focus on a submit button while the form is sent", async () => {
    fakeApi({ "POST /api/auth/tokens": () => new Promise(() => undefined) });
    const user = userEvent.setup();
    renderAccount("/account/tokens");
    await user.type(await screen.findByRole("textbox", { name: /^Name/ }), "backup script");
    await user.click(screen.getByRole("button", { name: "Create token" }));
    const sending = await screen.findByRole("button", { name: "Creating…" });
    expect(sending).toHaveFocus();
    expect(sending).toHaveAttribute("aria-disabled", "true");
  });

  it("says what is missing at the field and takes the focus there, instead of a greyed-out button", async () => {
    const seen = fakeApi({});
    const user = userEvent.setup();
    renderAccount("/account/tokens");
    const create = await screen.findByRole("button", { name: "Create token" });
    expect(create).not.toHaveAttribute("aria-disabled");
    await user.click(create);
    const name = screen.getByRole("textbox", { name: /^Name/ });
    expect(name).toHaveAccessibleDescription(/Enter a name for the token/);
    expect(name).toHaveFocus();
    expect(seen.some((request) => request.method === "POST")).toBe(false);
  });

  it("takes the focus to the error summary when the API refuses a form", async () => {
    fakeApi({
      "POST /api/auth/password": { status: 429, body: { detail: "Too many attempts: wait a minute." } },
    });
    const user = userEvent.setup();
    renderAccount("/account");
    await user.type(await screen.findByLabelText(/^Current password/), "old password here");
    await user.type(screen.getByLabelText(/^New password/), "a new long passphrase");
    await user.type(screen.getByLabelText(/^Confirm new password/), "a new long passphrase");
    await user.click(screen.getByRole("button", { name: "Change password" }));
    await waitFor(() => expect(screen.getByRole("alert")).toHaveFocus());
    expect(screen.getByRole("alert")).toHaveTextContent("Too many attempts");
  });
});
