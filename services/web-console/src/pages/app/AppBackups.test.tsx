import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route } from "react-router";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { App, Backup } from "../../api/types";
import { type FakeRoutes, fakeApi, requestsTo } from "../../test/fake-api";
import { FakeEventSource } from "../../test/fake-event-source";
import { APP_ID, makeApp, makeBackup, makeBackupPolicy } from "../../test/fixtures";
import { renderAt } from "../../test/render";
import { AppPage } from "./AppPage";

const POLICY = makeBackupPolicy();

beforeEach(() => FakeEventSource.install());

interface Setup {
  readonly app?: App;
  /** Each read of the list takes the next page of items (the last one repeats). */
  readonly lists?: Backup[][];
  /** A test's own answers (a POST, or the app after a change), over the ones here. */
  readonly more?: FakeRoutes;
}

async function openBackups({ app = makeApp(), lists = [[makeBackup()]], more = {} }: Setup = {}) {
  let reads = 0;
  const seen = fakeApi({
    [`GET /api/apps/${APP_ID}`]: { body: app },
    [`GET /api/apps/${APP_ID}/backups`]: () => {
      const items = lists[Math.min(reads, lists.length - 1)] ?? [];
      reads += 1;
      return { body: { items, total: items.length, page: 1, per_page: 20 } };
    },
    [`GET /api/apps/${APP_ID}/backup-policy`]: { body: POLICY },
    "GET /api/catalog/:app_id": { status: 404, body: { detail: "Catalog app not found" } },
    ...more,
  });
  renderAt(`/apps/${APP_ID}/backups`, <Route path="/apps/:appId/*" element={<AppPage />} />);
  await screen.findByRole("heading", { level: 2, name: "Backups" });
  return seen;
}

describe("the backup list", () => {
  it("lists the backups with what a person needs to choose one", async () => {
    await openBackups({
      lists: [
        [
          makeBackup(),
          makeBackup({
            id: "b2",
            status: "failed",
            error: "the backup storage is full",
            size_bytes: null,
            restorable: false,
          }),
        ],
      ],
    });
    const table = await screen.findByRole("table", { name: /Backups of wiki/ });
    expect(within(table).getByText("1.5 MiB")).toBeInTheDocument();
    expect(within(table).getByText("Completed")).toBeInTheDocument();
    expect(within(table).getByText("the backup storage is full")).toBeInTheDocument();
    expect(within(table).getAllByRole("button", { name: /^Restore/ })[1]).toHaveAttribute(
      "aria-disabled",
      "true",
    );
  });

  it("shows a restore from a backup in its badge, the row keeping its layout and its buttons focusable", async () => {
    await openBackups({ lists: [[makeBackup({ restoring: true, restorable: false })]] });
    const table = await screen.findByRole("table", { name: /Backups of wiki/ });
    const status = within(table).getByText("Restoring from it");
    expect(status).toHaveClass("badge");
    // Nothing beside the badge that would widen the column while the restore runs.
    expect(status.closest("td")).toHaveTextContent(/^Restoring from it$/);
    const restore = within(table).getByRole("button", { name: /^Restore the backup from/ });
    expect(restore).toHaveAttribute("aria-disabled", "true");
    expect(restore).not.toBeDisabled();
  });

  it("says what to do when there is none", async () => {
    await openBackups({ lists: [[]] });
    expect(await screen.findByRole("heading", { name: "No backups yet" })).toBeInTheDocument();
  });

  it("refreshes itself while a backup runs", async () => {
    await openBackups({ lists: [[makeBackup({ status: "running", size_bytes: null })], [makeBackup()]] });
    expect(await screen.findByText("Running", { selector: ".badge" })).toBeInTheDocument();
    await vi.waitFor(() => expect(screen.getByText("Completed")).toBeInTheDocument(), { timeout: 5_000 });
  });

  it("backs up now with the defaults shown", async () => {
    const seen = await openBackups({
      more: {
        [`POST /api/apps/${APP_ID}/backups`]: { status: 202, body: makeBackup({ status: "running" }) },
      },
    });
    expect(screen.getByRole("combobox", { name: "Mode" })).toHaveValue("snapshot");
    expect(screen.getByRole("combobox", { name: "Compression" })).toHaveValue("zstd");
    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Compression" }), "gzip");
    await userEvent.click(screen.getByRole("button", { name: "Back up now" }));
    expect(await screen.findByText(/Backup started/)).toBeInTheDocument();
    const [request] = requestsTo(seen, "POST", `/api/apps/${APP_ID}/backups`);
    expect(request?.body).toEqual({ mode: "snapshot", compression: "gzip" });
  });
});

describe("what backing up said", () => {
  it("says a backup started while it runs, and no longer once it is over", async () => {
    let app = makeApp();
    await openBackups({
      lists: [[], [makeBackup({ status: "running", size_bytes: null })], [makeBackup()]],
      more: {
        [`GET /api/apps/${APP_ID}`]: () => ({ body: app }),
        [`POST /api/apps/${APP_ID}/backups`]: () => {
          app = makeApp({ current_operation: "backup", updated_at: "2025-01-03T10:00:00Z" });
          return { status: 202, body: makeBackup({ status: "running" }) };
        },
      },
    });
    await userEvent.click(screen.getByRole("button", { name: "Back up now" }));
    expect(await screen.findByText("(backup in progress)")).toBeInTheDocument();
    expect(screen.getByText(/Backup started/)).toBeInTheDocument();
    // One message at a time: not also "Backups are not possible right now" (the started one runs).
    expect(screen.queryByText(/Backups are not possible right now/)).not.toBeInTheDocument();

    app = makeApp({ updated_at: "2025-01-03T10:01:00Z" });
    await vi.waitFor(() => expect(screen.queryByText("(backup in progress)")).not.toBeInTheDocument(), {
      timeout: 8_000,
    });
    expect(screen.queryByText(/Backup started/)).not.toBeInTheDocument();
  });
});

describe("restoring a backup", () => {
  it("warns that the app's current data is replaced, then restores onto it", async () => {
    let app = makeApp();
    const seen = await openBackups({
      more: {
        [`GET /api/apps/${APP_ID}`]: () => ({ body: app }),
        [`POST /api/apps/${APP_ID}/backups/b1/restore`]: () => {
          app = makeApp({ status: "restoring", current_operation: "restore" });
          return { status: 202, body: { backup: makeBackup({ restoring: true }), app, new_app: false } };
        },
      },
    });
    await userEvent.click(await screen.findByRole("button", { name: /^Restore the backup from/ }));
    const dialog = screen.getByRole("dialog", { name: /Restore the backup from/ });
    const onto = within(dialog).getByRole("radio", { name: "This app, wiki" });
    expect(onto).toBeChecked();
    expect(onto).toHaveAccessibleDescription(
      /Replaces wiki's current data with this backup: everything written since/,
    );
    await userEvent.click(within(dialog).getByRole("button", { name: "Replace wiki's data" }));
    expect(await screen.findByText("Restoring", { selector: ".badge" })).toBeInTheDocument();
    const [request] = requestsTo(seen, "POST", `/api/apps/${APP_ID}/backups/b1/restore`);
    expect(request).toBeDefined();
    // Onto the app itself: no body (a new_hostname would restore into a new app).
    expect(request?.body).toBeUndefined();
  });

  it("restores into a new app under a host name of the person's choice", async () => {
    const restored = makeApp({
      id: "33333333-3333-4333-8333-333333333333",
      hostname: "wiki-old",
      status: "restoring",
    });
    const seen = await openBackups({
      more: {
        [`POST /api/apps/${APP_ID}/backups/b1/restore`]: {
          status: 202,
          body: { backup: makeBackup(), app: restored, new_app: true },
        },
        [`GET /api/apps/${restored.id}`]: { body: restored },
      },
    });
    await userEvent.click(await screen.findByRole("button", { name: /^Restore the backup from/ }));
    const dialog = screen.getByRole("dialog", { name: /Restore the backup from/ });
    await userEvent.click(within(dialog).getByRole("radio", { name: "A new app" }));
    await userEvent.type(
      within(dialog).getByRole("textbox", { name: /Host name of the new app/ }),
      "wiki-old",
    );
    await userEvent.click(within(dialog).getByRole("button", { name: "Restore into a new app" }));
    expect(await screen.findByRole("heading", { level: 1, name: "wiki-old" })).toBeInTheDocument();
    const [request] = requestsTo(seen, "POST", `/api/apps/${APP_ID}/backups/b1/restore`);
    expect(request?.body).toEqual({ new_hostname: "wiki-old" });
  });
});

describe("deleting a backup", () => {
  it("confirms that the archive is removed for good", async () => {
    const seen = await openBackups({
      more: {
        [`DELETE /api/apps/${APP_ID}/backups/b1`]: { status: 202, body: makeBackup({ status: "deleting" }) },
      },
    });
    await userEvent.click(await screen.findByRole("button", { name: /^Delete the backup from/ }));
    const dialog = screen.getByRole("dialog", { name: /Delete the backup from/ });
    expect(
      within(dialog).getByText(/removed from the storage local and can never be restored/),
    ).toBeInTheDocument();
    await userEvent.click(within(dialog).getByRole("button", { name: "Delete backup" }));
    await vi.waitFor(() =>
      expect(requestsTo(seen, "DELETE", `/api/apps/${APP_ID}/backups/b1`)).toHaveLength(1),
    );
  });
});

describe("the backup schedule", () => {
  it("shows what is wrong at each field and sends nothing", async () => {
    const seen = await openBackups();
    const schedule = await screen.findByRole("textbox", { name: "Schedule" });
    await userEvent.clear(schedule);
    await userEvent.type(schedule, "0 3 * *");
    const keepDaily = screen.getByRole("textbox", { name: "Keep daily" });
    await userEvent.clear(keepDaily);
    await userEvent.type(keepDaily, "1.5");
    await userEvent.click(screen.getByRole("button", { name: "Save schedule" }));
    expect(schedule).toHaveAccessibleDescription(/Use five fields separated by spaces/);
    expect(keepDaily).toHaveAccessibleDescription(/Enter a whole number from 0 to 10000/);
    expect(screen.getByRole("alert")).toHaveTextContent("Please correct these fields");
    expect(requestsTo(seen, "PUT", `/api/apps/${APP_ID}/backup-policy`)).toHaveLength(0);
  });

  it("shows the service's refusal at the field it names, and saves once corrected", async () => {
    let puts = 0;
    const seen = await openBackups({
      more: {
        [`PUT /api/apps/${APP_ID}/backup-policy`]: () => {
          puts += 1;
          return puts === 1
            ? {
                status: 400,
                body: {
                  detail: "Invalid backup policy",
                  errors: [{ field: "time_zone", message: "is not a known time zone" }],
                },
              }
            : {
                body: {
                  ...POLICY,
                  enabled: true,
                  time_zone: "Europe/Paris",
                  next_run_at: "2025-01-04T02:00:00Z",
                },
              };
        },
      },
    });
    await userEvent.click(await screen.findByRole("checkbox", { name: "Back up on this schedule" }));
    const zone = screen.getByRole("combobox", { name: "Time zone" });
    await userEvent.clear(zone);
    await userEvent.type(zone, "Mars/Olympus");
    await userEvent.click(screen.getByRole("button", { name: "Save schedule" }));
    await vi.waitFor(() => expect(zone).toHaveAccessibleDescription(/is not a known time zone/));

    await userEvent.clear(zone);
    await userEvent.type(zone, "Europe/Paris");
    await userEvent.click(screen.getByRole("button", { name: "Save schedule" }));
    expect(await screen.findByText("Schedule saved.")).toBeInTheDocument();
    const sent = requestsTo(seen, "PUT", `/api/apps/${APP_ID}/backup-policy`);
    expect(sent[1]?.body).toMatchObject({ enabled: true, time_zone: "Europe/Paris", keep_last: 7 });
  });
});
