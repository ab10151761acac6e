import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route } from "react-router";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { App } from "../../api/types";
import { formatDateTime } from "../../lib/format";
import { REPORT_STALE_AFTER_MS } from "../../lib/report-age";
import { type FakeRoutes, fakeApi, requestsTo } from "../../test/fake-api";
import { FakeEventSource } from "../../test/fake-event-source";
import {
  APP_ID,
  makeAdmin,
  makeApp,
  makeBackup,
  makeCatalogItem,
  makeHost,
  makeUser,
} from "../../test/fixtures";
import { renderAt } from "../../test/render";
import { CatalogAppPage } from "../store/CatalogAppPage";
import { AppPage } from "./AppPage";

beforeEach(() => FakeEventSource.install());

const renderAppPage = (path = `/apps/${APP_ID}`) =>
  renderAt(path, <Route path="/apps/:appId/*" element={<AppPage />} />);

/** The app page over an API that knows one app; `more` answers anything else. */
function serve(app: App, more: FakeRoutes = {}) {
  return fakeApi({
    [`GET /api/apps/${APP_ID}`]: { body: app },
    "GET /api/catalog/wiki": {
      body: makeCatalogItem({ name: "Wiki.js", icon: "https://example.invalid/wiki.png", version: "2.5" }),
    },
    ...more,
  });
}

async function openApp(app: App, more?: FakeRoutes) {
  const seen = serve(app, more);
  renderAppPage();
  await screen.findByRole("heading", { level: 1, name: app.hostname });
  return seen;
}

const button = (name: string) => screen.getByRole("button", { name });

/** A time `ms` before now: the page judges a sample's age against when it read the app. */
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

/** A sample the host took `msAgo` before now. */
const sampleFrom = (msAgo: number, cpu = 0.42) => ({
  cpu,
  mem_bytes: 512 * 1024 ** 2,
  max_mem_bytes: 1024 ** 3,
  disk_bytes: 2 * 1024 ** 3,
  max_disk_bytes: 8 * 1024 ** 3,
  sampled_at: ago(msAgo),
});

describe("AppPage overview", () => {
  it("tells an admin whose app it is; a user is shown no owner", async () => {
    const app = makeApp({ owner_id: "00000000-0000-4000-8000-0000000000b0" });
    fakeApi(
      {
        [`GET /api/apps/${APP_ID}`]: { body: app },
        "GET /api/users/:id": { body: makeUser({ id: app.owner_id, username: "bob" }) },
      },
      { user: makeAdmin() },
    );
    renderAppPage();
    const details = await screen.findByRole("region", { name: "Details" });
    expect(await within(details).findByText("bob")).toBeInTheDocument();
    expect(within(details).getByText("Owner")).toBeInTheDocument();
  });

  it("shows no owner to the user who owns the app", async () => {
    const seen = await openApp(makeApp());
    const details = screen.getByRole("region", { name: "Details" });
    expect(within(details).queryByText("Owner")).not.toBeInTheDocument();
    expect(seen.filter((request) => request.path.startsWith("/api/users"))).toHaveLength(0);
  });

  it("shows the app's details, a safe address and secret names only", async () => {
    await openApp(
      makeApp({
        status_message: "All good",
        attention: "Container 101 was not found on node pve1: it was removed outside Proximity",
        metrics: sampleFrom(5_000),
      }),
    );
    expect(screen.getByText("Running")).toBeInTheDocument();
    expect(screen.getByText("All good")).toBeInTheDocument();
    expect(screen.getByRole("heading", { name: "Needs attention" })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: /http:\/\/10\.0\.0\.5:8080/ })).toHaveAttribute(
      "rel",
      "noopener noreferrer",
    );
    expect(screen.getByText("1 h 0 min")).toBeInTheDocument();
    const environment = screen.getByRole("table");
    expect(within(environment).getByText("Home wiki")).toBeInTheDocument();
    expect(within(environment).getByText("DB_PASSWORD")).toBeInTheDocument();
    expect(await screen.findByRole("link", { name: "Wiki.js" })).toHaveAttribute("href", "/store/wiki");
  });

  it("links no address that is not http(s)", async () => {
    await openApp(makeApp({ access_url: "javascript:alert(1)" }));
    expect(screen.queryByRole("link", { name: /javascript/ })).not.toBeInTheDocument();
    expect(screen.getByText("Available while the app is running")).toBeInTheDocument();
  });

  it("says an app that is not there, or not yours, was not found", async () => {
    fakeApi({ [`GET /api/apps/${APP_ID}`]: { status: 404, body: { detail: "App not found" } } });
    renderAppPage();
    expect(await screen.findByRole("heading", { name: "Not found or not yours" })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Go to My apps" })).toHaveAttribute("href", "/apps");
  });

  it("shares the catalog app between the app page and the store, which reads it afresh for its deploy form", async () => {
    const seen = serve(makeApp());
    renderAt(
      `/apps/${APP_ID}`,
      <>
        <Route path="/apps/:appId/*" element={<AppPage />} />
        <Route path="/store/:catalogId" element={<CatalogAppPage />} />
      </>,
    );
    await userEvent.click(await screen.findByRole("link", { name: "Wiki.js" }));
    // Shown from the shared cache at once (no loading state), then read again.
    expect(screen.getByRole("heading", { level: 1, name: "Wiki.js" })).toBeInTheDocument();
    await waitFor(() => expect(requestsTo(seen, "GET", "/api/catalog/wiki")).toHaveLength(2));
  });
});

describe("AppPage actions", () => {
  // Unavailable buttons stay focusable (aria-disabled), so they are not `disabled`.
  it("offers only the actions the status allows", async () => {
    await openApp(makeApp({ status: "stopped" }));
    expect(button("Start")).not.toHaveAttribute("aria-disabled");
    expect(button("Stop")).toHaveAttribute("aria-disabled", "true");
    expect(button("Restart")).toHaveAttribute("aria-disabled", "true");
    // An update works inside the running container: a stopped app is started first.
    expect(button("Update")).toHaveAttribute("aria-disabled", "true");
    expect(screen.getByText("Start the app to update it.")).toBeInTheDocument();
    expect(button("Clone")).not.toHaveAttribute("aria-disabled");
    expect(button("Delete")).not.toHaveAttribute("aria-disabled");
  });

  it("offers nothing while an operation runs, and says why", async () => {
    await openApp(makeApp({ status: "running", current_operation: "backup" }));
    for (const name of ["Start", "Stop", "Restart", "Update", "Clone", "Delete"])
      expect(button(name)).toHaveAttribute("aria-disabled", "true");
    expect(screen.getByText("Wait until the backup in progress has finished.")).toBeInTheDocument();
  });

  it("offers to retry a deploy that failed before it had a container", async () => {
    await openApp(makeApp({ status: "error", vmid: null, status_message: "Image not found" }));
    expect(button("Retry deployment")).not.toHaveAttribute("aria-disabled");
    expect(button("Start")).toHaveAttribute("aria-disabled", "true");
    expect(button("Delete")).not.toHaveAttribute("aria-disabled");
  });

  it("keeps the focus on Stop once sent, shown unavailable, and a second press sends nothing", async () => {
    let app = makeApp();
    const seen = await openApp(app, {
      [`GET /api/apps/${APP_ID}`]: () => ({ body: app }),
      [`POST /api/apps/${APP_ID}/action`]: () => {
        app = makeApp({ status: "stopping", current_operation: "stop", updated_at: "2025-01-03T10:00:00Z" });
        return { status: 202, body: app };
      },
    });
    await userEvent.click(button("Stop"));
    expect(await screen.findByText("Stop requested.")).toBeInTheDocument();
    expect(button("Stop")).toHaveAttribute("aria-disabled", "true");
    expect(button("Stop")).toHaveFocus();
    await userEvent.keyboard("{Enter}");
    await userEvent.click(button("Stop"));
    expect(requestsTo(seen, "POST", `/api/apps/${APP_ID}/action`)).toHaveLength(1);
  });

  it("sends the action and shows the API's reason when it refuses (409)", async () => {
    const seen = await openApp(makeApp(), {
      [`POST /api/apps/${APP_ID}/action`]: {
        status: 409,
        body: { detail: "Cannot stop the app while it is restarting" },
      },
    });
    await userEvent.click(button("Stop"));
    expect(await screen.findByRole("alert")).toHaveTextContent("Cannot stop the app while it is restarting");
    const [request] = requestsTo(seen, "POST", `/api/apps/${APP_ID}/action`);
    expect(request?.body).toEqual({ action: "stop" });
  });
});

describe("what an action said", () => {
  it("says an action was requested until the app has moved on, then no longer", async () => {
    let app = makeApp();
    await openApp(app, {
      [`GET /api/apps/${APP_ID}`]: () => ({ body: app }),
      [`POST /api/apps/${APP_ID}/action`]: () => {
        app = makeApp({ status: "stopping", current_operation: "stop", updated_at: "2025-01-03T10:00:00Z" });
        return { status: 202, body: app };
      },
    });
    await userEvent.click(button("Stop"));
    expect(await screen.findByText("Stop requested.")).toBeInTheDocument();

    // The stop is done: the stream says so, the page reads the app again.
    app = makeApp({ status: "stopped", access_url: null, updated_at: "2025-01-03T10:00:05Z" });
    FakeEventSource.latest().emit("status", { status: "stopped", status_message: null });
    expect(await screen.findByText("Stopped", { selector: ".badge" })).toBeInTheDocument();
    expect(screen.queryByText("Stop requested.")).not.toBeInTheDocument();

    // Started again later (from elsewhere): the old note does not come back.
    app = makeApp({ updated_at: "2025-01-03T11:00:00Z" });
    FakeEventSource.latest().emit("status", { status: "running", status_message: null });
    expect(await screen.findByText("Running", { selector: ".badge" })).toBeInTheDocument();
    expect(screen.queryByText("Stop requested.")).not.toBeInTheDocument();
  });

  it("keeps a note while the operation it asked for runs, and drops it when another action starts", async () => {
    let app = makeApp();
    await openApp(app, {
      [`GET /api/apps/${APP_ID}`]: () => ({ body: app }),
      [`POST /api/apps/${APP_ID}/action`]: (request) => {
        const { action } = request.body as { action: string };
        app =
          action === "restart"
            ? makeApp({
                status: "restarting",
                current_operation: "restart",
                updated_at: "2025-01-03T10:00:00Z",
              })
            : makeApp({ status: "stopping", current_operation: "stop", updated_at: "2025-01-03T10:01:00Z" });
        return { status: 202, body: app };
      },
    });
    await userEvent.click(button("Restart"));
    expect(await screen.findByText("Restart requested.")).toBeInTheDocument();
    // The restart goes on (its progress changes the app): the note stays with it.
    app = { ...app, status_message: "Starting the container", updated_at: "2025-01-03T10:00:03Z" };
    FakeEventSource.latest().emit("status", {
      status: "restarting",
      status_message: "Starting the container",
    });
    expect(await screen.findByText("Starting the container")).toBeInTheDocument();
    expect(screen.getByText("Restart requested.")).toBeInTheDocument();

    app = makeApp({ updated_at: "2025-01-03T10:00:09Z" });
    FakeEventSource.latest().emit("status", { status: "running", status_message: null });
    await vi.waitFor(() => expect(screen.queryByText("Restart requested.")).not.toBeInTheDocument());
    await userEvent.click(button("Stop"));
    expect(await screen.findByText("Stop requested.")).toBeInTheDocument();
    expect(screen.queryByText("Restart requested.")).not.toBeInTheDocument();
  });
});

describe("usage figures", () => {
  const metrics = sampleFrom(5_000);

  it("shows a running app's CPU, memory, disk and uptime", async () => {
    await openApp(makeApp({ metrics, uptime_seconds: 7_200 }));
    const usage = screen.getByRole("region", { name: "Usage" });
    expect(within(usage).getByText("42 %")).toBeInTheDocument();
    expect(within(usage).getByRole("meter", { name: "CPU" })).toHaveAttribute("value", "0.42");
    expect(usage).toHaveTextContent("512 MiB of 1 GiB (50 %)");
    expect(usage).toHaveTextContent("2 GiB of 8 GiB (25 %)");
    expect(
      within(screen.getByRole("region", { name: "Details" })).getByText("2 h 0 min"),
    ).toBeInTheDocument();
  });

  it("shows no running figures for a stopped app, though its last sample still has them", async () => {
    await openApp(makeApp({ status: "stopped", access_url: null, metrics, uptime_seconds: 7_200 }));
    const usage = screen.getByRole("region", { name: "Usage" });
    expect(usage).not.toHaveTextContent("42 %");
    expect(usage).not.toHaveTextContent("512 MiB");
    expect(within(usage).getAllByText("None while the app is stopped")).toHaveLength(2);
    expect(within(usage).queryByRole("meter", { name: "CPU" })).not.toBeInTheDocument();
    // Disk use outlasts a stop.
    expect(usage).toHaveTextContent("2 GiB of 8 GiB (25 %)");
    const details = screen.getByRole("region", { name: "Details" });
    expect(within(details).queryByText("2 h 0 min")).not.toBeInTheDocument();
    expect(within(details).getByText("None while the app is stopped")).toBeInTheDocument();
  });
});

describe("usage figures right after a start", () => {
  it("hides the figures from before the stop until a sample newer than the start arrives", async () => {
    // Started 10 s ago; the last sample is the one the host took of the stopped app before that.
    const before = sampleFrom(20_000);
    let app = makeApp({ updated_at: ago(10_000), metrics: before, uptime_seconds: 7_200 });
    await openApp(app, { [`GET /api/apps/${APP_ID}`]: () => ({ body: app }) });
    const usage = screen.getByRole("region", { name: "Usage" });
    expect(usage).not.toHaveTextContent("42 %");
    expect(usage).not.toHaveTextContent("512 MiB");
    expect(within(usage).getAllByText("Being measured…")).toHaveLength(2);
    expect(within(screen.getByRole("region", { name: "Details" })).queryByText("2 h 0 min")).toBeNull();
    // Disk use is no running figure: still shown.
    expect(usage).toHaveTextContent("2 GiB of 8 GiB (25 %)");

    app = {
      ...app,
      metrics: sampleFrom(5_000, 0.12),
      uptime_seconds: 4,
    };
    // The page's next read (every 5 s) brings the new sample.
    expect(await within(usage).findByText("12 %", undefined, { timeout: 8_000 })).toBeInTheDocument();
    expect(screen.queryByText("Being measured…")).not.toBeInTheDocument();
  });
});

describe("an app whose host stopped reporting", () => {
  const HOUR = 60 * 60_000;
  const stale = () =>
    makeApp({ updated_at: ago(HOUR), metrics: sampleFrom(5 * 60_000), uptime_seconds: 7_200 });
  const notice = () => screen.queryByRole("heading", { level: 2, name: /report from its host/ });

  it("tells its owner when the host last reported, and shows no CPU, memory or uptime as current", async () => {
    const app = stale();
    await openApp(app);
    const heading = notice();
    expect(heading).toHaveTextContent(
      `No report from its host since ${formatDateTime(app.metrics?.sampled_at)}`,
    );
    expect(heading?.closest("[role=status]")).toHaveTextContent(
      "The status and usage shown are the last known",
    );
    const usage = screen.getByRole("region", { name: "Usage" });
    expect(usage).not.toHaveTextContent("42 %");
    expect(usage).not.toHaveTextContent("512 MiB");
    expect(within(usage).getAllByText("Unknown while its host is not reporting")).toHaveLength(2);
    expect(usage).toHaveTextContent(
      `Last measured ${formatDateTime(app.metrics?.sampled_at)}: its host has not reported since.`,
    );
    const details = screen.getByRole("region", { name: "Details" });
    expect(within(details).queryByText("2 h 0 min")).not.toBeInTheDocument();
    expect(within(details).getByText("Unknown while its host is not reporting")).toBeInTheDocument();
  });

  it("says so without a time once the API no longer gives the app's sample", async () => {
    await openApp(makeApp({ status: "stopped", access_url: null, updated_at: ago(HOUR), metrics: null }));
    expect(notice()).toHaveTextContent("No recent report from its host");
    expect(screen.getByRole("region", { name: "Usage" })).toHaveTextContent(
      "No recent usage figures: its host has not reported on the app lately.",
    );
  });

  it("says nothing of an app its host reports on", async () => {
    await openApp(makeApp({ updated_at: ago(HOUR), metrics: sampleFrom(10_000) }));
    expect(within(screen.getByRole("region", { name: "Usage" })).getByText("42 %")).toBeInTheDocument();
    expect(notice()).toBeNull();
  });

  it("says nothing of a new app not reported on yet", async () => {
    await openApp(makeApp({ updated_at: ago(20_000), metrics: null }));
    expect(screen.getByRole("region", { name: "Usage" })).toHaveTextContent("No usage figures yet.");
    expect(notice()).toBeNull();
  });

  it("says so once the last report grows old, without a reload", async () => {
    // Two seconds short of stale: the page's next read (every 5 s) finds it stale.
    await openApp(makeApp({ updated_at: ago(HOUR), metrics: sampleFrom(REPORT_STALE_AFTER_MS - 2_000) }));
    expect(notice()).toBeNull();
    expect(
      await screen.findByRole("heading", { name: /No report from its host since/ }, { timeout: 8_000 }),
    ).toBeInTheDocument();
    expect(screen.getByRole("region", { name: "Usage" })).not.toHaveTextContent("42 %");
  });

  it("leaves it to the attention when one explains the missing reports", async () => {
    const attention = "Container 101 was not found on node pve1: it was removed outside Proximity";
    await openApp({ ...stale(), attention });
    expect(screen.getByRole("heading", { name: "Needs attention" })).toBeInTheDocument();
    expect(notice()).toBeNull();
    const usage = screen.getByRole("region", { name: "Usage" });
    expect(usage).not.toHaveTextContent("42 %");
    expect(usage).not.toHaveTextContent(/host/);
    expect(within(usage).getAllByText("Not measured lately")).toHaveLength(2);
    expect(screen.queryByText(/its host is not reporting/)).not.toBeInTheDocument();
  });

  it("judges the report's age by the server's clock, not a browser clock 3 minutes fast", async () => {
    // Sampled 10 s ago by the server's clock, which the browser's runs 3 minutes ahead of.
    const serverNow = Date.now() - 3 * 60_000;
    const app = makeApp({
      updated_at: ago(HOUR),
      metrics: { ...sampleFrom(0), sampled_at: new Date(serverNow - 10_000).toISOString() },
    });
    await openApp(app, {
      [`GET /api/apps/${APP_ID}`]: { body: app, headers: { date: new Date(serverNow).toUTCString() } },
    });
    expect(within(screen.getByRole("region", { name: "Usage" })).getByText("42 %")).toBeInTheDocument();
    expect(notice()).toBeNull();
  });

  const asAdmin = (app: App, hostStatus: "reachable" | "unreachable") => {
    fakeApi(
      {
        [`GET /api/apps/${APP_ID}`]: { body: app },
        "GET /api/proxmox/hosts/:id": {
          body: makeHost({ status: hostStatus, last_check_error: "Connection refused" }),
        },
      },
      { user: makeAdmin() },
    );
    renderAppPage();
  };

  it("is told an admin once, by the host's own notice, when the host is known to be down", async () => {
    asAdmin(stale(), "unreachable");
    expect(await screen.findByRole("heading", { name: "Host pve-lab is unreachable" })).toBeInTheDocument();
    expect(notice()).toBeNull();
  });

  it("is told an admin whose host is not known to be down", async () => {
    asAdmin(stale(), "reachable");
    expect(await screen.findByRole("heading", { name: /No report from its host since/ })).toBeInTheDocument();
    expect(screen.queryByRole("heading", { name: /Host pve-lab/ })).not.toBeInTheDocument();
  });
});

describe("Updating the app", () => {
  it("asks first, says what the update does, and sends it only once confirmed", async () => {
    let app = makeApp();
    const seen = await openApp(app, {
      [`GET /api/apps/${APP_ID}`]: () => ({ body: app }),
      [`POST /api/apps/${APP_ID}/action`]: () => {
        app = makeApp({
          status: "updating",
          current_operation: "update",
          updated_at: "2025-01-03T10:00:00Z",
        });
        return { status: 202, body: app };
      },
    });
    await screen.findByRole("link", { name: "Wiki.js" });
    const catalogReads = requestsTo(seen, "GET", "/api/catalog/wiki").length;

    await userEvent.click(button("Update"));
    const dialog = screen.getByRole("dialog", { name: "Update wiki?" });
    expect(within(dialog).getByRole("button", { name: "Cancel" })).toHaveFocus();
    expect(requestsTo(seen, "POST", `/api/apps/${APP_ID}/action`)).toHaveLength(0);
    expect(
      await within(dialog).findByText(/updated to Wiki\.js 2\.5, the catalog's current version/),
    ).toBeInTheDocument();
    expect(dialog).toHaveTextContent(
      "if wiki already runs 2.5, the update pulls the same version's images again",
    );
    expect(dialog).toHaveTextContent("wiki is unavailable for a short while as its services restart.");
    expect(dialog).toHaveTextContent(
      "If the update fails, the container is rolled back to a snapshot taken just before it, and the app runs as before.",
    );
    // Each opening reads the catalog afresh: an admin may have reloaded it meanwhile.
    expect(requestsTo(seen, "GET", "/api/catalog/wiki").length).toBeGreaterThan(catalogReads);

    await userEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("dialog", { name: "Update wiki?" })).not.toBeInTheDocument();
    expect(requestsTo(seen, "POST", `/api/apps/${APP_ID}/action`)).toHaveLength(0);

    await userEvent.click(button("Update"));
    await userEvent.click(
      within(screen.getByRole("dialog", { name: "Update wiki?" })).getByRole("button", {
        name: "Update app",
      }),
    );
    expect(await screen.findByText("Update requested.")).toBeInTheDocument();
    expect(screen.queryByRole("dialog", { name: "Update wiki?" })).not.toBeInTheDocument();
    const requests = requestsTo(seen, "POST", `/api/apps/${APP_ID}/action`);
    expect(requests.map((request) => request.body)).toEqual([{ action: "update" }]);
  });

  it("says what happens to the app's settings, and when a new one needs a value", async () => {
    await openApp(makeApp());
    await userEvent.click(button("Update"));
    const dialog = screen.getByRole("dialog", { name: "Update wiki?" });
    expect(dialog).toHaveTextContent(
      "Its settings are kept; any the new version adds take their defaults. If a new setting has no default and needs a value, the update is refused and says which.",
    );
  });

  it("says the catalog no longer offers the app, and does not send the update", async () => {
    const seen = await openApp(makeApp(), {
      "GET /api/catalog/wiki": { status: 404, body: { detail: "Catalog app not found" } },
    });
    await userEvent.click(button("Update"));
    const dialog = screen.getByRole("dialog", { name: "Update wiki?" });
    expect(
      await within(dialog).findByText(
        /The catalog no longer offers wiki, so there is no version to update wiki to/,
      ),
    ).toBeInTheDocument();
    const confirm = within(dialog).getByRole("button", { name: "Update app" });
    expect(confirm).toHaveAttribute("aria-disabled", "true");
    await userEvent.click(confirm);
    expect(requestsTo(seen, "POST", `/api/apps/${APP_ID}/action`)).toHaveLength(0);
    expect(dialog).not.toHaveTextContent(/is updated to/);
  });

  it("still offers the update when the catalog could not be read for another reason", async () => {
    const seen = await openApp(makeApp(), {
      "GET /api/catalog/wiki": { status: 503, body: { detail: "Catalog unavailable" } },
      [`POST /api/apps/${APP_ID}/action`]: {
        status: 202,
        body: makeApp({ status: "updating", current_operation: "update" }),
      },
    });
    await userEvent.click(button("Update"));
    const dialog = screen.getByRole("dialog", { name: "Update wiki?" });
    expect(
      await within(dialog).findByText("Could not read the catalog's current version (Catalog unavailable)."),
    ).toBeInTheDocument();
    const confirm = within(dialog).getByRole("button", { name: "Update app" });
    expect(confirm).not.toHaveAttribute("aria-disabled");
    await userEvent.click(confirm);
    await waitFor(() => expect(requestsTo(seen, "POST", `/api/apps/${APP_ID}/action`)).toHaveLength(1));
  });

  it("shows the API's refusal in the dialog, which stays open", async () => {
    await openApp(makeApp(), {
      [`POST /api/apps/${APP_ID}/action`]: {
        status: 409,
        body: {
          detail:
            "Cannot update the app: the catalog's current version needs settings it does not have (ADMIN_EMAIL)",
        },
      },
    });
    await userEvent.click(button("Update"));
    const dialog = screen.getByRole("dialog", { name: "Update wiki?" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Update app" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent(
      /needs settings it does not have \(ADMIN_EMAIL\)/,
    );
    expect(screen.queryByText("Update requested.")).not.toBeInTheDocument();
  });
});

describe("Deleting the app", () => {
  it("says what happens to its backups and sends the choice", async () => {
    let app = makeApp();
    const seen = await openApp(app, {
      [`GET /api/apps/${APP_ID}`]: () => ({ body: app }),
      [`GET /api/apps/${APP_ID}/backups`]: {
        body: { items: [makeBackup()], total: 3, page: 1, per_page: 20 },
      },
      [`DELETE /api/apps/${APP_ID}`]: () => {
        app = makeApp({
          status: "removing",
          current_operation: "delete",
          updated_at: "2025-01-03T10:00:00Z",
        });
        return { status: 202, body: { ...app, backups: "deleted" } };
      },
    });
    await userEvent.click(button("Delete"));
    const dialog = screen.getByRole("dialog", { name: "Delete wiki?" });
    expect(within(dialog).getByText(/destroys its container/)).toBeInTheDocument();
    const choices = await within(dialog).findByRole("group", {
      name: "What happens to this app's 3 backups?",
    });
    const keep = within(choices).getByRole("radio", { name: "Keep the backups" });
    expect(keep).toBeChecked();
    expect(keep).toHaveAccessibleDescription(
      /hold the app's data and settings, secrets included\. You will no longer see them: only an administrator can restore them/,
    );
    expect(
      within(choices).getByRole("radio", { name: "Delete the backups too" }),
    ).toHaveAccessibleDescription(/removed from the storage with the app and can never be restored/);

    await userEvent.click(within(choices).getByRole("radio", { name: "Delete the backups too" }));
    await userEvent.click(within(dialog).getByRole("button", { name: "Delete app" }));
    expect(
      await screen.findByText("Deletion started: the app's backups are deleted with it."),
    ).toBeInTheDocument();
    const [request] = requestsTo(seen, "DELETE", `/api/apps/${APP_ID}`);
    expect(request?.search.get("backups")).toBe("delete");
  });

  it("says so when the app has no backups", async () => {
    await openApp(makeApp(), {
      [`GET /api/apps/${APP_ID}/backups`]: { body: { items: [], total: 0, page: 1, per_page: 20 } },
    });
    await userEvent.click(button("Delete"));
    const dialog = screen.getByRole("dialog", { name: "Delete wiki?" });
    expect(await within(dialog).findByText("This app has no backups.")).toBeInTheDocument();
    expect(within(dialog).queryByRole("radio")).not.toBeInTheDocument();
  });
});

describe("Cloning the app", () => {
  it("checks the host name at the field before sending", async () => {
    const seen = await openApp(makeApp());
    await userEvent.click(button("Clone"));
    const dialog = screen.getByRole("dialog", { name: "Clone wiki" });
    const field = within(dialog).getByRole("textbox", { name: /Host name of the clone/ });
    await userEvent.type(field, "Wiki_2");
    await userEvent.click(within(dialog).getByRole("button", { name: "Clone app" }));
    expect(field).toHaveAttribute("aria-invalid", "true");
    expect(field).toHaveAccessibleDescription(/Use lower-case letters only\./);
    expect(requestsTo(seen, "POST", `/api/apps/${APP_ID}/clone`)).toHaveLength(0);
  });

  it("shows a taken host name at the field, then opens the clone", async () => {
    const clone = makeApp({
      id: "22222222-2222-4222-8222-222222222222",
      hostname: "wiki-2",
      status: "cloning",
    });
    let attempts = 0;
    await openApp(makeApp(), {
      [`POST /api/apps/${APP_ID}/clone`]: () => {
        attempts += 1;
        return attempts === 1
          ? { status: 409, body: { detail: "Hostname wiki-2 is already in use" } }
          : { status: 202, body: clone };
      },
      [`GET /api/apps/${clone.id}`]: { body: clone },
    });
    await userEvent.click(button("Clone"));
    const dialog = screen.getByRole("dialog", { name: "Clone wiki" });
    const field = within(dialog).getByRole("textbox", { name: /Host name of the clone/ });
    await userEvent.type(field, "wiki-2");
    await userEvent.click(within(dialog).getByRole("button", { name: "Clone app" }));
    await vi.waitFor(() => expect(field).toHaveAccessibleDescription(/Host name wiki-2 is already in use/));
    // Said once, at the field (not again under the form).
    expect(within(dialog).getAllByText("Host name wiki-2 is already in use")).toHaveLength(1);

    await userEvent.clear(field);
    await userEvent.type(field, "wiki-2");
    await userEvent.click(within(dialog).getByRole("button", { name: "Clone app" }));
    expect(await screen.findByRole("heading", { level: 1, name: "wiki-2" })).toBeInTheDocument();
  });
});
