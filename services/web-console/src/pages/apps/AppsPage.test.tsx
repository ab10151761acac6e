import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route } from "react-router";
import { describe, expect, it } from "vitest";
import type { App } from "../../api/types";
import { formatDateTime } from "../../lib/format";
import { REPORT_STALE_AFTER_MS } from "../../lib/report-age";
import { fakeApi, requestsTo, type SeenRequest } from "../../test/fake-api";
import { makeApp, makeUser } from "../../test/fixtures";
import { renderAt } from "../../test/render";
import { AppsPage, BUSY_REFRESH_MS, REFRESH_MS, refreshIntervalFor } from "./AppsPage";

const app = (overrides: Partial<App> = {}) => makeApp({ id: "a1", hostname: "team-wiki", ...overrides });

interface ListAnswer {
  readonly items: App[];
  readonly total?: number;
  readonly next_cursor?: string | null;
}

/** Answers GET /api/apps by the request's query (`answer`), and the catalog for the names. */
function fakeApps(answer: (query: URLSearchParams) => ListAnswer) {
  return fakeApi({
    "GET /api/catalog": { body: { items: [{ id: "wiki", name: "Wiki" }], total: 1, page: 1, per_page: 100 } },
    "GET /api/apps": (request) => {
      const { items, total = items.length, next_cursor = null } = answer(request.search);
      return { body: { items, total, page: 1, per_page: 50, next_cursor } };
    },
  });
}

const listReads = (seen: readonly SeenRequest[]) => requestsTo(seen, "GET", "/api/apps");
const renderApps = (path = "/apps") => renderAt(path, <Route path="/apps" element={<AppsPage />} />);

describe("AppsPage", () => {
  it("shows each app with its status, access link, metrics and node", async () => {
    fakeApps(() => ({
      items: [
        app({
          metrics: {
            cpu: 0.05,
            mem_bytes: 512 * 1024 ** 2,
            max_mem_bytes: 2 * 1024 ** 3,
            disk_bytes: 3 * 1024 ** 3,
            max_disk_bytes: 8 * 1024 ** 3,
            sampled_at: null,
          },
        }),
      ],
    }));
    renderApps();

    const link = await screen.findByRole("link", { name: "team-wiki" });
    expect(link).toHaveAttribute("href", "/apps/a1");
    const row = within(link.closest("tr") as HTMLElement);
    expect(row.getByText("Wiki")).toBeInTheDocument();
    expect(row.getByText("Running")).toBeInTheDocument();
    const access = row.getByRole("link", { name: /10\.0\.0\.5:8080/ });
    expect(access).toHaveAttribute("target", "_blank");
    expect(access).toHaveAttribute("rel", "noopener noreferrer");
    expect(row.getByText("5.0 %")).toBeInTheDocument();
    expect(row.getByText("512 MiB / 2 GiB")).toBeInTheDocument();
    expect(row.getByText("3 GiB / 8 GiB")).toBeInTheDocument();
    expect(row.getByText("pve1")).toBeInTheDocument();
  });

  it("shows no CPU or memory for an app that is not running, though its last sample has them", async () => {
    fakeApps(() => ({
      items: [
        app({
          status: "stopped",
          access_url: null,
          metrics: {
            cpu: 0.05,
            mem_bytes: 512 * 1024 ** 2,
            max_mem_bytes: 2 * 1024 ** 3,
            disk_bytes: 3 * 1024 ** 3,
            max_disk_bytes: 8 * 1024 ** 3,
            sampled_at: null,
          },
        }),
      ],
    }));
    renderApps();

    const row = within((await screen.findByRole("link", { name: "team-wiki" })).closest("tr") as HTMLElement);
    expect(row.queryByText("5.0 %")).not.toBeInTheDocument();
    expect(row.queryByText("512 MiB / 2 GiB")).not.toBeInTheDocument();
    expect(row.getByText("3 GiB / 8 GiB")).toBeInTheDocument();
  });

  it("shows what needs attention, an error's reason, and no link for an address that is not http(s)", async () => {
    fakeApps(() => ({
      items: [
        app({ status: "stopped", attention: "Stopped outside Proximity", access_url: "javascript:alert(1)" }),
        app({ id: "a2", hostname: "broken", status: "error", status_message: "The host is unreachable" }),
      ],
    }));
    renderApps();

    const stopped = within(
      (await screen.findByRole("link", { name: "team-wiki" })).closest("tr") as HTMLElement,
    );
    expect(stopped.getByText(/Stopped outside Proximity/)).toBeInTheDocument();
    expect(stopped.getByText("Needs attention:")).toBeInTheDocument();
    expect(stopped.queryByRole("link", { name: /javascript/ })).not.toBeInTheDocument();
    expect(stopped.getAllByText("—").length).toBeGreaterThan(0);
    const broken = within(screen.getByRole("link", { name: "broken" }).closest("tr") as HTMLElement);
    expect(broken.getByText("Error")).toBeInTheDocument();
    expect(broken.getByText("The host is unreachable")).toBeInTheDocument();
  });

  it("invites a new user to the store when there are no apps", async () => {
    fakeApps(() => ({ items: [] }));
    renderApps();
    expect(await screen.findByRole("heading", { name: "No apps yet" })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Browse the store" })).toHaveAttribute("href", "/store");
    expect(screen.queryByRole("button", { name: "Clear filters" })).not.toBeInTheDocument();
  });

  it("says when filters match nothing, distinct from having no apps", async () => {
    const seen = fakeApps(() => ({ items: [] }));
    renderApps("/apps?status=error&search=wiki");

    expect(await screen.findByRole("heading", { name: "No app matches these filters" })).toBeInTheDocument();
    expect(screen.queryByRole("heading", { name: "No apps yet" })).not.toBeInTheDocument();
    const query = listReads(seen)[0]?.search;
    expect(query?.get("status")).toBe("error");
    expect(query?.get("search")).toBe("wiki");

    await userEvent.click(screen.getByRole("button", { name: "Clear filters" }));
    await waitFor(() => expect(screen.getByTestId("location")).toHaveTextContent(/^\/apps$/));
  });

  it("tells an admin none of the apps match, and counts a single app as one app", async () => {
    const admin = makeUser({ id: "00000000-0000-4000-8000-0000000000ad", username: "root", is_admin: true });
    fakeApi(
      {
        "GET /api/catalog": { body: { items: [], total: 0, page: 1, per_page: 100 } },
        "GET /api/users": { body: { items: [], total: 0, page: 1, per_page: 100 } },
        "GET /api/apps": (request) =>
          request.search.get("status")
            ? { body: { items: [], total: 0, page: 1, per_page: 50, next_cursor: null } }
            : { body: { items: [app()], total: 1, page: 1, per_page: 50, next_cursor: null } },
      },
      { user: admin },
    );
    renderApps("/apps?status=error");
    expect(
      await screen.findByText("None of the apps has this status or a host name containing these words."),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Clear filters" }));
    expect(await screen.findByText("1 app")).toBeInTheDocument();
    expect(screen.queryByText(/1–1 of 1/)).not.toBeInTheDocument();
  });

  it("filters by status through the URL", async () => {
    const seen = fakeApps(() => ({ items: [app()] }));
    renderApps();
    await screen.findByRole("link", { name: "team-wiki" });

    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Status" }), "Stopped");

    await waitFor(() => expect(screen.getByTestId("location")).toHaveTextContent("/apps?status=stopped"));
    await waitFor(() => expect(listReads(seen).at(-1)?.search.get("status")).toBe("stopped"));
  });

  it("pages with the cursor of the answer, and back", async () => {
    const firstPage = Array.from({ length: 50 }, (_, i) => app({ id: `a${i}`, hostname: `app-${i}` }));
    const seen = fakeApps((query) =>
      query.get("cursor") === "next-1"
        ? { items: [app({ id: "last", hostname: "last-app" })], total: 51, next_cursor: null }
        : { items: firstPage, total: 51, next_cursor: "next-1" },
    );
    renderApps();

    expect(await screen.findByText("1–50 of 51 apps")).toBeInTheDocument();
    expect(listReads(seen)[0]?.search.get("per_page")).toBe("50");
    expect(screen.getByRole("button", { name: "Previous page" })).toHaveAttribute("aria-disabled", "true");

    await userEvent.click(screen.getByRole("button", { name: "Next page" }));

    expect(await screen.findByRole("link", { name: "last-app" })).toBeInTheDocument();
    expect(listReads(seen).at(-1)?.search.get("cursor")).toBe("next-1");
    expect(screen.getByText("51–51 of 51 apps")).toBeInTheDocument();
    const next = screen.getByRole("button", { name: "Next page" });
    expect(next).toHaveAttribute("aria-disabled", "true");
    expect(next).toHaveFocus(); // pressed to get here: the keyboard keeps its place

    await userEvent.click(screen.getByRole("button", { name: "Previous page" }));

    expect(await screen.findByText("1–50 of 51 apps")).toBeInTheDocument();
    expect(screen.getByTestId("location")).toHaveTextContent(/^\/apps$/);
  });

  it("offers the first page when a link's cursor is refused", async () => {
    fakeApi({
      "GET /api/apps": (request) =>
        request.search.has("cursor")
          ? {
              status: 400,
              body: {
                detail: "Invalid request",
                errors: [{ field: "cursor", message: "is not a cursor of this list" }],
              },
            }
          : undefined,
    });
    renderApps("/apps?cursor=forged");
    expect(
      await screen.findByRole("heading", { name: "This page of the list is no longer valid" }),
    ).toBeInTheDocument();
  });

  it("shows the API's error with a way to try again", async () => {
    fakeApi({
      "GET /api/apps": { status: 503, body: { detail: "The applications service is unavailable" } },
    });
    renderApps();
    expect(await screen.findByRole("alert")).toHaveTextContent("The applications service is unavailable");
    expect(screen.getByRole("button", { name: "Try again" })).toBeInTheDocument();
  });

  it("links to the store to deploy an app", async () => {
    fakeApps(() => ({ items: [app()] }));
    renderApps();
    expect(await screen.findByRole("link", { name: "Deploy an app" })).toHaveAttribute("href", "/store");
  });
});

describe("AppsPage when a host stops reporting", () => {
  const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
  const sampled = (msAgo: number) => ({
    cpu: 0.05,
    mem_bytes: 512 * 1024 ** 2,
    max_mem_bytes: 2 * 1024 ** 3,
    disk_bytes: 3 * 1024 ** 3,
    max_disk_bytes: 8 * 1024 ** 3,
    sampled_at: ago(msAgo),
  });
  const rowOf = async (hostname: string) =>
    within((await screen.findByRole("link", { name: hostname })).closest("tr") as HTMLElement);
  const STALE_NOTE = /— the status shown is the last known\.$/;

  it("says beside a running app's status when its host last reported, and no CPU or memory", async () => {
    const lastSample = sampled(5 * 60_000);
    fakeApps(() => ({ items: [app({ updated_at: ago(60 * 60_000), metrics: lastSample })] }));
    renderApps();

    const row = await rowOf("team-wiki");
    expect(row.getByText("Running")).toBeInTheDocument();
    const note = row.getByText(STALE_NOTE);
    expect(note).toHaveTextContent(
      `No report from its host since ${formatDateTime(lastSample.sampled_at)} — the status shown is the last known.`,
    );
    expect(note.closest("[role=status], [role=alert], [aria-live]")).toBeNull();
    expect(row.queryByText("5.0 %")).not.toBeInTheDocument();
    expect(row.queryByText("512 MiB / 2 GiB")).not.toBeInTheDocument();
    expect(row.getByText("3 GiB / 8 GiB")).toBeInTheDocument();
  });

  it("says it, without a time, for a long-settled app whose sample the API no longer gives", async () => {
    fakeApps(() => ({ items: [app({ status: "stopped", updated_at: ago(60 * 60_000), metrics: null })] }));
    renderApps();
    const row = await rowOf("team-wiki");
    expect(row.getByText(STALE_NOTE)).toHaveTextContent(
      "No recent report from its host — the status shown is the last known.",
    );
  });

  it("says nothing for a freshly reported app, a new app not reported on yet, or one being changed", async () => {
    fakeApps(() => ({
      items: [
        app({ updated_at: ago(60 * 60_000), metrics: sampled(10_000) }),
        app({ id: "a2", hostname: "new-app", updated_at: ago(20_000), metrics: null }),
        app({
          id: "a3",
          hostname: "stopping",
          status: "stopping",
          current_operation: "stop",
          updated_at: ago(60 * 60_000),
          metrics: sampled(5 * 60_000),
        }),
      ],
    }));
    renderApps();
    expect((await rowOf("team-wiki")).getByText("5.0 %")).toBeInTheDocument();
    expect(screen.queryByText(STALE_NOTE)).not.toBeInTheDocument();
    expect(screen.queryByText(/report from its host/)).not.toBeInTheDocument();
  });

  it("leaves it to the attention when one explains the missing reports", async () => {
    const attention = "Container 101 was not found on node pve1: it was removed outside Proximity";
    fakeApps(() => ({
      items: [app({ updated_at: ago(60 * 60_000), metrics: sampled(5 * 60_000), attention })],
    }));
    renderApps();
    const row = await rowOf("team-wiki");
    expect(row.getByText(attention)).toBeInTheDocument();
    expect(row.queryByText(STALE_NOTE)).not.toBeInTheDocument();
    expect(row.queryByText(/report from its host/)).not.toBeInTheDocument();
    expect(row.queryByText("5.0 %")).not.toBeInTheDocument();
  });

  it("judges the report's age by the server's clock, not a browser clock 3 minutes fast", async () => {
    const serverNow = Date.now() - 3 * 60_000;
    const answer = {
      items: [
        app({
          updated_at: ago(60 * 60_000),
          metrics: { ...sampled(0), sampled_at: new Date(serverNow - 10_000).toISOString() },
        }),
      ],
    };
    fakeApi({
      "GET /api/apps": {
        body: { ...answer, total: 1, page: 1, per_page: 50, next_cursor: null },
        headers: { date: new Date(serverNow).toUTCString() },
      },
      "GET /api/catalog": { body: { items: [], total: 0, page: 1, per_page: 100 } },
    });
    renderApps();
    const row = await rowOf("team-wiki");
    expect(row.getByText("5.0 %")).toBeInTheDocument();
    expect(row.queryByText(STALE_NOTE)).not.toBeInTheDocument();
  });

  it("says it once the last report grows old, without a reload", async () => {
    // Two seconds short of stale: the next refresh (every REFRESH_MS) finds it stale.
    const answer = {
      items: [app({ updated_at: ago(60 * 60_000), metrics: sampled(REPORT_STALE_AFTER_MS - 2_000) })],
    };
    const seen = fakeApps(() => answer);
    renderApps();
    const row = await rowOf("team-wiki");
    expect(row.queryByText(STALE_NOTE)).not.toBeInTheDocument();
    expect(row.getByText("5.0 %")).toBeInTheDocument();

    expect(await row.findByText(STALE_NOTE, undefined, { timeout: REFRESH_MS + 3_000 })).toBeInTheDocument();
    expect(row.queryByText("5.0 %")).not.toBeInTheDocument();
    expect(listReads(seen).length).toBeGreaterThan(1);
  });
});

describe("refreshIntervalFor", () => {
  it("refreshes faster while an operation runs on a listed app", () => {
    expect(refreshIntervalFor([{ status: "running" }, { status: "stopped" }])).toBe(REFRESH_MS);
    expect(refreshIntervalFor([{ status: "running" }, { status: "deploying" }])).toBe(BUSY_REFRESH_MS);
    expect(refreshIntervalFor([])).toBe(REFRESH_MS);
  });
});

describe("AppsPage for an admin", () => {
  it("says whose each app is (an admin sees every user's apps)", async () => {
    const admin = makeUser({ id: "00000000-0000-4000-8000-0000000000ad", username: "root", is_admin: true });
    fakeApi(
      {
        "GET /api/catalog": { body: { items: [], total: 0, page: 1, per_page: 100 } },
        "GET /api/users": {
          body: { items: [makeUser({ id: "u-alice", username: "alice" })], total: 1, page: 1, per_page: 100 },
        },
        "GET /api/apps": {
          body: {
            items: [
              app({ id: "a1", owner_id: "u-alice" }),
              app({ id: "a2", hostname: "mine", owner_id: admin.id }),
            ],
            total: 2,
            page: 1,
            per_page: 50,
            next_cursor: null,
          },
        },
      },
      { user: admin },
    );
    renderApps();
    const table = await screen.findByRole("table", { name: "Every user's apps" });
    // Not "My apps": an admin's list is everyone's.
    expect(screen.getByRole("heading", { level: 1, name: "All apps" })).toBeInTheDocument();
    expect(within(table).getByRole("columnheader", { name: "Owner" })).toBeInTheDocument();
    const aliceRow = within(table).getByRole("link", { name: "team-wiki" }).closest("tr")!;
    expect(await within(aliceRow).findByText("alice")).toBeInTheDocument();
    const mineRow = within(table).getByRole("link", { name: "mine" }).closest("tr")!;
    expect(within(mineRow).getByText("you")).toBeInTheDocument();
  });

  it("shows no Owner column to a user, and asks nothing of the admin-only users list", async () => {
    const seen = fakeApps(() => ({ items: [app()] }));
    renderApps();
    const table = await screen.findByRole("table", { name: "My apps" });
    expect(screen.getByRole("heading", { level: 1, name: "My apps" })).toBeInTheDocument();
    expect(within(table).queryByRole("columnheader", { name: "Owner" })).not.toBeInTheDocument();
    expect(requestsTo(seen, "GET", "/api/users")).toHaveLength(0);
  });
});
