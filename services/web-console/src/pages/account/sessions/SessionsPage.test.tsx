import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route } from "react-router";
import { describe, expect, it } from "vitest";
import { fakeApi, requestsTo } from "../../../test/fake-api";
import { renderAt } from "../../../test/render";
import { AccountPage } from "../AccountPage";

const renderAccount = (path: string) => renderAt(path, <Route path="/account/*" element={<AccountPage />} />);

const FIREFOX_ON_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
const SAFARI_ON_IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1";

const session = (
  id: string,
  current: boolean,
  userAgent: string | null = current ? FIREFOX_ON_LINUX : SAFARI_ON_IPHONE,
) => ({
  id,
  created_at: "2025-05-01T08:00:00Z",
  last_seen_at: "2025-05-01T09:00:00Z",
  expires_at: "2025-05-01T20:00:00Z",
  client_address: current ? "192.0.2.1" : "198.51.100.7",
  user_agent: userAgent,
  current,
});

describe("sessions", () => {
  it("marks this session and ends the others after confirming", async () => {
    let items = [session("s-1", true), session("s-2", false)];
    const seen = fakeApi({
      "GET /api/auth/sessions": () => ({ body: { items, total: items.length, page: 1, per_page: 100 } }),
      "DELETE /api/auth/sessions": () => {
        items = items.filter((s) => s.current);
        return { body: { ended: 1 } };
      },
    });
    const user = userEvent.setup();
    renderAccount("/account/sessions");

    const current = (await screen.findByText("Firefox 133 on Linux")).closest("tr");
    expect(current).toHaveTextContent("This session");
    await user.click(screen.getByRole("button", { name: "End all other sessions" }));
    const dialog = screen.getByRole("dialog", { name: "End all your other sessions?" });
    expect(dialog).toHaveTextContent(/This session stays/);
    await user.click(within(dialog).getByRole("button", { name: "End other sessions" }));

    expect(await screen.findByText("1 other session was ended.")).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByText("Safari 17 on iOS")).not.toBeInTheDocument());
    expect(requestsTo(seen, "DELETE", "/api/auth/sessions")).not.toHaveLength(0);
  });

  it("names each browser in words and keeps the User-Agent string it sent under a disclosure", async () => {
    const items = [session("s-1", true), session("s-2", false, "curl/8.5.0"), session("s-3", false, null)];
    fakeApi({ "GET /api/auth/sessions": { body: { items, total: items.length, page: 1, per_page: 100 } } });
    const user = userEvent.setup();
    renderAccount("/account/sessions");

    const rows = (await screen.findAllByRole("row")).slice(1);
    const browsers = rows.map((row) => within(row).getAllByRole("cell")[0]!);
    expect(browsers[0]).toHaveTextContent(/^Firefox 133 on LinuxThis session/);
    expect(browsers[1]).toHaveTextContent(/^curl/);
    expect(browsers[2]).toHaveTextContent(/^Unknown browser$/);
    expect(screen.queryByText(FIREFOX_ON_LINUX)).not.toBeVisible();

    await user.click(within(browsers[0]!).getByText("User agent"));
    expect(screen.getByText(FIREFOX_ON_LINUX)).toBeVisible();
    expect(within(browsers[1]!).getByText("curl/8.5.0", { selector: "code" })).toBeInTheDocument();
    // Nothing was sent: nothing to disclose.
    expect(within(browsers[2]!).queryByText("User agent")).not.toBeInTheDocument();
  });

  it("signs out when the current session is ended", async () => {
    const seen = fakeApi({
      "GET /api/auth/sessions": { body: { items: [session("s-1", true)], total: 1, page: 1, per_page: 100 } },
      "DELETE /api/auth/sessions/:id": { status: 204 },
      "POST /api/auth/logout": { status: 401, body: { detail: "Not signed in" } },
    });
    const user = userEvent.setup();
    renderAccount("/account/sessions");
    await user.click(await screen.findByRole("button", { name: "Sign out here" }));
    const dialog = screen.getByRole("dialog", { name: "End this session and sign out?" });
    await user.click(within(dialog).getByRole("button", { name: "End and sign out" }));
    expect(await screen.findByText("Sign-in page")).toBeInTheDocument();
    expect(requestsTo(seen, "DELETE", "/api/auth/sessions/s-1")).not.toHaveLength(0);
  });
});
