import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route } from "react-router";
import { describe, expect, it } from "vitest";
import { fakeApi } from "../../../test/fake-api";
import { makeAdmin, makeHost } from "../../../test/fixtures";
import { renderAt } from "../../../test/render";
import { AdminRoutes } from "../AdminRoutes";

const renderAdmin = (path: string) => renderAt(path, <Route path="/admin/*" element={<AdminRoutes />} />);

describe("host page", () => {
  it("shows a host that is down, with the reason", async () => {
    const host = makeHost({ status: "unreachable", last_check_error: "connection timed out" });
    fakeApi({ "GET /api/proxmox/hosts/:id": { body: host } }, { user: makeAdmin() });
    renderAdmin(`/admin/hosts/${host.id}`);
    expect(await screen.findByText("This host is not reachable.")).toBeInTheDocument();
    expect(screen.getAllByText("Unreachable").length).toBeGreaterThan(0);
    expect(screen.getAllByText(/connection timed out/).length).toBeGreaterThan(0);
  });

  it("tests the connection and says the result in words", async () => {
    let host = makeHost({ last_checked_at: "2025-05-01T10:00:00Z" });
    fakeApi(
      {
        "GET /api/proxmox/hosts/:id": () => ({ body: host }),
        "POST /api/proxmox/hosts/:id/test": () => {
          host = {
            ...host,
            status: "unreachable",
            last_checked_at: "2025-05-01T10:05:00Z",
            last_check_error: "the certificate does not match the pinned fingerprint",
          };
          return { status: 202, body: { check_id: "c-1" } };
        },
      },
      { user: makeAdmin() },
    );
    const user = userEvent.setup();
    renderAdmin(`/admin/hosts/${host.id}`);
    await user.click(await screen.findByRole("button", { name: "Test connection" }));
    const status = await screen.findByText(
      "The connection failed: the certificate does not match the pinned fingerprint.",
    );
    expect(status.closest("[role=status]")).not.toBeNull();
  });

  it("says which host was not found, once, and leads back to the hosts; it stops asking", async () => {
    const id = "22222222-2222-4222-8222-222222222222";
    const seen = fakeApi(
      { "GET /api/proxmox/hosts/:id": { status: 404, body: { detail: "Host not found" } } },
      { user: makeAdmin() },
    );
    for (const path of [`/admin/hosts/${id}`, `/admin/hosts/${id}/edit`]) {
      const view = renderAdmin(path);
      expect(await screen.findByRole("heading", { level: 1, name: "Host not found" })).toBeInTheDocument();
      expect(screen.getByText(id)).toBeInTheDocument();
      expect(screen.queryByText("Not found")).not.toBeInTheDocument();
      expect(screen.getByRole("link", { name: "Go to all hosts" })).toHaveAttribute("href", "/admin/hosts");
      view.unmount();
    }
    expect(seen.filter((request) => request.path === `/api/proxmox/hosts/${id}`)).toHaveLength(2);
  });

  it("confirms a deletion, saying what happens to apps, and shows the API's refusal", async () => {
    const host = makeHost();
    const seen = fakeApi(
      {
        "GET /api/proxmox/hosts/:id": { body: host },
        "DELETE /api/proxmox/hosts/:id": {
          status: 409,
          body: { detail: "2 apps are still live on this host" },
        },
      },
      { user: makeAdmin() },
    );
    const user = userEvent.setup();
    renderAdmin(`/admin/hosts/${host.id}`);
    await user.click(await screen.findByRole("button", { name: "Delete" }));
    const dialog = screen.getByRole("dialog", { name: "Delete host pve-lab?" });
    expect(dialog).toHaveTextContent(/still has live apps cannot be deleted/);
    expect(seen.some((request) => request.method === "DELETE")).toBe(false);
    await user.click(within(dialog).getByRole("button", { name: "Delete host" }));
    expect(await within(dialog).findByText("2 apps are still live on this host")).toBeInTheDocument();
  });
});
