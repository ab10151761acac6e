import { screen, within } from "@testing-library/react";
import { Route } from "react-router";
import { describe, expect, it } from "vitest";
import { fakeApi } from "../../test/fake-api";
import { makeAdmin } from "../../test/fixtures";
import { renderAt } from "../../test/render";
import { AdminRoutes } from "./AdminRoutes";

describe("admin area", () => {
  it("opens on the hosts, marked in the section navigation, with what to do when there are none", async () => {
    fakeApi(
      { "GET /api/proxmox/hosts": { body: { items: [], total: 0, page: 1, per_page: 100 } } },
      { user: makeAdmin() },
    );
    renderAt("/admin", <Route path="/admin/*" element={<AdminRoutes />} />);
    expect(await screen.findByRole("heading", { level: 1, name: "Hosts" })).toBeInTheDocument();
    const nav = screen.getByRole("navigation", { name: "Admin sections" });
    expect(within(nav).getByRole("link", { name: "Hosts" })).toHaveAttribute("aria-current", "page");
    expect(await screen.findByRole("heading", { name: "No hosts yet" })).toBeInTheDocument();
    expect(screen.getAllByRole("link", { name: "Add host" })[0]).toHaveAttribute("href", "/admin/hosts/new");
  });
});
