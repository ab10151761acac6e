import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route } from "react-router";
import { describe, expect, it } from "vitest";
import { fakeApi } from "../../../test/fake-api";
import { makeAdmin, makeCatalogItem, makeHost, makeUser } from "../../../test/fixtures";
import { renderAt } from "../../../test/render";
import { AdminRoutes } from "../AdminRoutes";

const host = makeHost();
const container = {
  node: "pve1",
  vmid: 120,
  name: "wiki",
  status: "running",
  cores: 2,
  max_mem_bytes: 2 * 1024 ** 3,
  max_disk_bytes: 8 * 1024 ** 3,
  tags: ["legacy"],
};
const bob = makeUser({ id: "22222222-2222-4222-8222-222222222222", username: "bob" });
const { compose: _compose, ...wikiApp } = makeCatalogItem({
  id: "33333333-3333-4333-8333-333333333333",
  name: "Wiki.js",
  version: "2.5",
});

const renderAdmin = (path: string) => renderAt(path, <Route path="/admin/*" element={<AdminRoutes />} />);
const list = (items: unknown[]) => ({ body: { items, total: items.length, page: 1, per_page: 100 } });

describe("discover and adopt", () => {
  it("adopts a discovered container with the chosen catalog app, owner and port, then links to the app", async () => {
    const seen = fakeApi(
      {
        "GET /api/proxmox/hosts": list([host]),
        "GET /api/apps/discover": { body: { items: [container] } },
        "GET /api/catalog": list([wikiApp]),
        "GET /api/users": list([bob]),
        "POST /api/apps/adopt": {
          status: 202,
          body: { id: "app-1", hostname: "team-wiki", status: "adopting" },
        },
      },
      { user: makeAdmin() },
    );
    const user = userEvent.setup();
    renderAdmin("/admin/adopt");

    const option = await screen.findByRole("option", { name: "pve-lab (reachable)" });
    await user.selectOptions(screen.getByRole("combobox", { name: "Host" }), option);
    await user.click(await screen.findByRole("button", { name: "Adopt wiki" }));
    await user.type(screen.getByRole("textbox", { name: /^Host name/ }), "team-wiki");
    await user.selectOptions(
      screen.getByRole("combobox", { name: /^Catalog app/ }),
      await screen.findByRole("option", { name: "Wiki.js 2.5" }),
    );
    await user.selectOptions(
      screen.getByRole("combobox", { name: /^Owner/ }),
      await screen.findByRole("option", { name: "bob" }),
    );
    await user.type(screen.getByRole("spinbutton", { name: /^Port/ }), "3000");
    await user.click(screen.getByRole("button", { name: "Adopt container" }));

    const link = await screen.findByRole("link", { name: "Open team-wiki" });
    expect(link).toHaveAttribute("href", "/apps/app-1");
    const discover = seen.find(
      (request) => request.method === "GET" && request.path === "/api/apps/discover",
    );
    expect(discover?.search.toString()).toBe(`host_id=${host.id}`);
    expect(seen.find((request) => request.method === "POST")?.body).toEqual({
      host_id: host.id,
      node: "pve1",
      vmid: 120,
      hostname: "team-wiki",
      catalog_id: wikiApp.id,
      owner_id: bob.id,
      port: 3000,
    });
  });

  it("leaves out what was not chosen, so the API applies its defaults", async () => {
    const seen = fakeApi(
      {
        "GET /api/proxmox/hosts": list([host]),
        "GET /api/apps/discover": { body: { items: [container] } },
        "GET /api/catalog": list([]),
        "GET /api/users": list([]),
        "POST /api/apps/adopt": { status: 202, body: { id: "app-2", hostname: "wiki", status: "adopting" } },
      },
      { user: makeAdmin() },
    );
    const user = userEvent.setup();
    renderAdmin(`/admin/adopt?host=${host.id}`);
    await user.click(await screen.findByRole("button", { name: "Adopt wiki" }));
    await user.click(screen.getByRole("button", { name: "Adopt container" }));
    await screen.findByRole("link", { name: "Open wiki" });
    expect(seen.find((request) => request.method === "POST")?.body).toEqual({
      host_id: host.id,
      node: "pve1",
      vmid: 120,
    });
  });
});
