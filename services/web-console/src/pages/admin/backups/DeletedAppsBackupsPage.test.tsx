import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route } from "react-router";
import { describe, expect, it } from "vitest";
import type { Backup } from "../../../api/types";
import { type FakeRoutes, fakeApi, requestsTo } from "../../../test/fake-api";
import { makeAdmin, makeApp, makeBackup, makeUser } from "../../../test/fixtures";
import { renderAt } from "../../../test/render";
import { AppPage } from "../../app/AppPage";
import { AdminRoutes } from "../AdminRoutes";

const GONE_APP = "22222222-2222-4222-8222-222222222222";
const BOB = makeUser({ id: "00000000-0000-4000-8000-0000000000b0", username: "bob" });

const kept = (id: string, overrides: Partial<Backup> = {}) =>
  makeBackup({ id, app_id: GONE_APP, owner_id: BOB.id, app_deleted: true, ...overrides });

/** GET /api/backups answering `all` a page at a time, as the API does (`app_deleted`, `page`, `per_page`). */
function backupsPaged(all: readonly Backup[]): FakeRoutes[string] {
  return (request) => {
    const appDeleted = request.search.get("app_deleted");
    const matching = appDeleted === null ? all : all.filter((b) => String(b.app_deleted) === appDeleted);
    const page = Number(request.search.get("page") ?? "1");
    const perPage = Number(request.search.get("per_page") ?? "20");
    const items = matching.slice((page - 1) * perPage, page * perPage);
    return { body: { items, total: matching.length, page, per_page: perPage } };
  };
}

function open(routes: FakeRoutes) {
  const seen = fakeApi(
    { "GET /api/users": { body: { items: [BOB], total: 1, page: 1, per_page: 100 } }, ...routes },
    { user: makeAdmin() },
  );
  renderAt(
    "/admin/backups",
    <>
      <Route path="/admin/*" element={<AdminRoutes />} />
      <Route path="/apps/:appId/*" element={<AppPage />} />
    </>,
  );
  return seen;
}

describe("backups of deleted apps", () => {
  it("lists only the backups whose app was deleted, asking the API for them a page at a time", async () => {
    const live = Array.from({ length: 30 }, (_, i) => makeBackup({ id: `live-${i}` }));
    const gone = Array.from({ length: 25 }, (_, i) => kept(`gone-${i}`));
    const seen = open({ "GET /api/backups": backupsPaged([...live, ...gone]) });
    expect(
      await screen.findByRole("heading", { level: 1, name: "Backups of deleted apps" }),
    ).toBeInTheDocument();
    const table = await screen.findByRole("table", { name: /Backups of deleted apps/ });
    expect(within(table).getAllByRole("row")).toHaveLength(21); // the header and a page of 20
    expect(within(table).getAllByText("bob")).toHaveLength(20);
    const asked = requestsTo(seen, "GET", "/api/backups");
    expect(asked.map((r) => [r.search.get("app_deleted"), r.search.get("page")])).toEqual([["true", "1"]]);
    await userEvent.click(screen.getByRole("button", { name: /Older/ }));
    await screen.findByText((_, el) => el?.tagName === "TBODY" && el.querySelectorAll("tr").length === 5);
    expect(requestsTo(seen, "GET", "/api/backups").at(-1)?.search.get("page")).toBe("2");
    const nav = screen.getByRole("navigation", { name: "Admin sections" });
    expect(within(nav).getByRole("link", { name: "Backups of deleted apps" })).toHaveAttribute(
      "aria-current",
      "page",
    );
  });

  it("says when there are none", async () => {
    open({ "GET /api/backups": backupsPaged([makeBackup()]) });
    expect(await screen.findByRole("heading", { name: "No backups of deleted apps" })).toBeInTheDocument();
  });

  it("says what went wrong, and reads again on request", async () => {
    let up = false;
    open({
      "GET /api/backups": (request) =>
        up
          ? (backupsPaged([kept("gone-1")]) as (r: typeof request) => { body: unknown })(request)
          : { status: 503, body: { detail: "The backups service is unavailable" } },
    });
    expect(await screen.findByText("The backups service is unavailable")).toBeInTheDocument();
    up = true;
    await userEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByRole("table", { name: /Backups of deleted apps/ })).toBeInTheDocument();
  });

  it("restores one into a new app only, under a host name of the admin's choice", async () => {
    const restored = makeApp({
      id: "33333333-3333-4333-8333-333333333333",
      hostname: "wiki-again",
      status: "restoring",
    });
    const seen = open({
      "GET /api/backups": backupsPaged([kept("gone-1")]),
      [`POST /api/apps/${GONE_APP}/backups/gone-1/restore`]: {
        status: 202,
        body: { backup: kept("gone-1", { restoring: true }), app: restored, new_app: true },
      },
      [`GET /api/apps/${restored.id}`]: { body: restored },
    });
    await userEvent.click(
      await screen.findByRole("button", { name: /^Restore the backup of container 101 on pve1 from/ }),
    );
    const dialog = screen.getByRole("dialog", { name: /Restore the backup from/ });
    // Its app is gone: nothing to restore onto, so no choice is offered.
    expect(within(dialog).queryByRole("radio")).not.toBeInTheDocument();
    expect(dialog).toHaveTextContent("The app of this backup was deleted");
    await userEvent.click(within(dialog).getByRole("button", { name: "Restore into a new app" }));
    expect(
      within(dialog).getByRole("textbox", { name: /Host name of the new app/ }),
    ).toHaveAccessibleDescription(/required|Enter/i);
    expect(requestsTo(seen, "POST", `/api/apps/${GONE_APP}/backups/gone-1/restore`)).toHaveLength(0);
    await userEvent.type(
      within(dialog).getByRole("textbox", { name: /Host name of the new app/ }),
      "wiki-again",
    );
    await userEvent.click(within(dialog).getByRole("button", { name: "Restore into a new app" }));
    expect(await screen.findByRole("heading", { level: 1, name: "wiki-again" })).toBeInTheDocument();
    const [request] = requestsTo(seen, "POST", `/api/apps/${GONE_APP}/backups/gone-1/restore`);
    expect(request?.body).toEqual({ new_hostname: "wiki-again" });
  });

  it("deletes one after a confirmation, and lists it no more", async () => {
    let all = [kept("gone-1"), kept("gone-2", { created_at: "2025-01-02T03:00:00Z" })];
    const seen = open({
      "GET /api/backups": (request) =>
        (backupsPaged(all) as (r: typeof request) => { body: unknown })(request),
      [`DELETE /api/apps/${GONE_APP}/backups/gone-1`]: () => {
        all = all.filter((b) => b.id !== "gone-1");
        return { status: 202, body: kept("gone-1", { status: "deleted" }) };
      },
    });
    const table = await screen.findByRole("table", { name: /Backups of deleted apps/ });
    expect(within(table).getAllByRole("row")).toHaveLength(3);
    await userEvent.click(
      within(table).getAllByRole("button", { name: /^Delete the backup of container 101 on pve1 from/ })[0]!,
    );
    const dialog = screen.getByRole("dialog", { name: /Delete the backup from/ });
    await userEvent.click(within(dialog).getByRole("button", { name: "Delete backup" }));
    await screen.findByText((_, el) => el?.tagName === "TBODY" && el.querySelectorAll("tr").length === 1);
    expect(requestsTo(seen, "DELETE", `/api/apps/${GONE_APP}/backups/gone-1`)).toHaveLength(1);
  });

  it("names the container and archive each backup was of, in the list, its buttons and its dialogs", async () => {
    open({
      "GET /api/backups": backupsPaged([
        kept("gone-1", {
          vmid: 105,
          node: "pve2",
          volid: "local:backup/vzdump-lxc-105-2025_01_03-03_00_00.tar.zst",
        }),
        kept("gone-2", {
          vmid: 107,
          node: "pve1",
          volid: "local:backup/vzdump-lxc-107-2025_01_03-03_00_00.tar.zst",
        }),
      ]),
    });
    const table = await screen.findByRole("table", { name: /Backups of deleted apps/ });
    expect(within(table).getByRole("columnheader", { name: "App" })).toBeInTheDocument();
    const [first, second] = within(table).getAllByRole("row").slice(1);
    expect(first).toHaveTextContent("Container 105 on pve2");
    expect(first).toHaveTextContent("vzdump-lxc-105-2025_01_03-03_00_00.tar.zst");
    expect(second).toHaveTextContent("Container 107 on pve1");
    // Same date, yet each button says which backup it acts on.
    await userEvent.click(
      within(table).getByRole("button", { name: /^Delete the backup of container 107 on pve1/ }),
    );
    const dialog = screen.getByRole("dialog", { name: /Delete the backup from/ });
    expect(dialog).toHaveTextContent(
      "This is the backup of container 107 on pve1 (archive vzdump-lxc-107-2025_01_03-03_00_00.tar.zst).",
    );
    expect(within(dialog).getByRole("button", { name: "Cancel" })).toHaveFocus();
  });

  it("names each backup by its app's host name and catalog item, with the container under it, when the backup says them", async () => {
    open({
      "GET /api/backups": backupsPaged([
        kept("gone-1", {
          vmid: 105,
          node: "pve2",
          volid: "local:backup/vzdump-lxc-105-2025_01_03-03_00_00.tar.zst",
          app_hostname: "wiki",
          app_catalog_id: "wikijs",
        }),
        kept("gone-2", { vmid: 107, node: "pve1", app_hostname: "legacy-db", app_catalog_id: null }),
        kept("gone-3", { vmid: 109, node: "pve1", app_hostname: null, app_catalog_id: null }),
      ]),
    });
    const table = await screen.findByRole("table", { name: /Backups of deleted apps/ });
    const [wiki, legacy, unnamed] = within(table).getAllByRole("row").slice(1);
    expect(within(wiki!).getAllByRole("cell")[0]).toHaveTextContent(
      /^wiki \(wikijs\)Container 105 on pve2vzdump-lxc-105-2025_01_03-03_00_00\.tar\.zst$/,
    );
    // No catalog type (an adopted app): the host name alone.
    expect(within(legacy!).getAllByRole("cell")[0]).toHaveTextContent(/^legacy-dbContainer 107 on pve1/);
    // Deleted before the backups service kept names: the container, as before.
    expect(within(unnamed!).getAllByRole("cell")[0]).toHaveTextContent(/^Container 109 on pve1/);
    expect(
      within(unnamed!).getByRole("button", { name: /^Delete the backup of container 109 on pve1 from/ }),
    ).toBeInTheDocument();
    await userEvent.click(
      within(wiki!).getByRole("button", { name: /^Delete the backup of wiki \(wikijs\) from/ }),
    );
    const dialog = screen.getByRole("dialog", { name: /Delete the backup from/ });
    expect(dialog).toHaveTextContent(
      "This is the backup of wiki (wikijs), container 105 on pve2 (archive vzdump-lxc-105-2025_01_03-03_00_00.tar.zst).",
    );
  });

  it("names the catalog item by its display name when the catalog knows it, else by its id", async () => {
    open({
      "GET /api/catalog": {
        body: { items: [{ id: "wikijs", name: "Wiki.js" }], total: 1, page: 1, per_page: 100 },
      },
      "GET /api/backups": backupsPaged([
        kept("gone-1", { vmid: 105, node: "pve2", app_hostname: "wiki", app_catalog_id: "wikijs" }),
        kept("gone-2", { vmid: 107, node: "pve1", app_hostname: "old-chat", app_catalog_id: "retired-chat" }),
      ]),
    });
    const table = await screen.findByRole("table", { name: /Backups of deleted apps/ });
    const [wiki, chat] = within(table).getAllByRole("row").slice(1);
    expect(await within(wiki!).findByText("wiki (Wiki.js)")).toBeInTheDocument();
    expect(within(chat!).getAllByRole("cell")[0]).toHaveTextContent(
      /^old-chat \(retired-chat\)Container 107/,
    );
    await userEvent.click(
      within(wiki!).getByRole("button", { name: /^Delete the backup of wiki \(Wiki\.js\) from/ }),
    );
    expect(screen.getByRole("dialog", { name: /Delete the backup from/ })).toHaveTextContent(
      "This is the backup of wiki (Wiki.js), container 105 on pve2",
    );
  });
});
