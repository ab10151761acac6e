import { screen, within } from "@testing-library/react";
import { Route } from "react-router";
import { beforeEach, describe, expect, it } from "vitest";
import { fakeApi, requestsTo } from "../../test/fake-api";
import { FakeEventSource } from "../../test/fake-event-source";
import { APP_ID, makeApp } from "../../test/fixtures";
import { renderAt } from "../../test/render";
import { AppPage } from "./AppPage";

const line = (id: number, message: string, level = "info") => ({
  id,
  level,
  step: "deploy",
  message,
  created_at: "2025-01-01T10:00:00Z",
});

beforeEach(() => FakeEventSource.install());

const renderAppPage = () =>
  renderAt(`/apps/${APP_ID}`, <Route path="/apps/:appId/*" element={<AppPage />} />);
const appReads = (seen: ReturnType<typeof fakeApi>) => requestsTo(seen, "GET", `/api/apps/${APP_ID}`);

async function openPage(apps: ReturnType<typeof makeApp>[] = [makeApp()]) {
  let reads = 0;
  const seen = fakeApi({
    [`GET /api/apps/${APP_ID}`]: () => {
      const app = apps[Math.min(reads, apps.length - 1)];
      reads += 1;
      return { body: app };
    },
    "GET /api/catalog/wiki": { status: 404, body: { detail: "Catalog app not found" } },
  });
  renderAppPage();
  await screen.findByRole("heading", { level: 1, name: "wiki" });
  const source = FakeEventSource.latest();
  return { seen, source };
}

describe("the app's live activity", () => {
  it("opens the app's event stream and shows that it is live", async () => {
    const { source } = await openPage();
    expect(source.url).toBe(`/api/apps/${APP_ID}/events`);
    expect(screen.getByText("Connecting…")).toBeInTheDocument();
    source.open();
    expect(await screen.findByText("Live")).toBeInTheDocument();
    source.fail();
    expect(await screen.findByText("Reconnecting…")).toBeInTheDocument();
  });

  it("appends each log line once, even when a reconnect replays it", async () => {
    const { source } = await openPage();
    source.open();
    source.emit("log", line(1, "Pulling the image"), 1);
    source.emit("log", line(2, "Starting the container", "error"), 2);
    source.emit("log", line(1, "Pulling the image"), 1);
    const log = screen.getByRole("log", { name: "Activity" });
    await within(log).findByText(/Starting the container/);
    expect(within(log).getAllByText(/Pulling the image/)).toHaveLength(1);
    expect(within(log).getByText(/Starting the container/)).toHaveTextContent("ERROR");
  });

  it("shows a new status by reading the app afresh", async () => {
    const { seen, source } = await openPage([
      makeApp(),
      makeApp({ status: "stopping", current_operation: "stop" }),
    ]);
    source.open();
    source.emit("status", { status: "running", status_message: null });
    // The first status repeats what the page already shows: no extra request.
    expect(appReads(seen)).toHaveLength(1);
    source.emit("status", { status: "stopping", status_message: null });
    expect(await screen.findByText("Stopping")).toBeInTheDocument();
    expect(appReads(seen)).toHaveLength(2);
  });

  it("ends the stream when the app is deleted and says so", async () => {
    const { source } = await openPage();
    source.open();
    source.emit("status", { status: "deleted", status_message: "The app no longer exists" });
    expect(await screen.findByRole("heading", { name: "This app was deleted" })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Go to My apps" })).toHaveAttribute("href", "/apps");
    expect(source.closed).toBe(true);
  });

  it("reads the logs page by page when no stream can be had", async () => {
    let logReads = 0;
    const seen = fakeApi({
      [`GET /api/apps/${APP_ID}`]: { body: makeApp() },
      [`GET /api/apps/${APP_ID}/logs`]: (request) => {
        logReads += 1;
        const after = request.search.get("after_id");
        if (after === null) return { body: { items: [line(1, "First page")], next_after_id: 1 } };
        if (after === "1") return { body: { items: [line(2, "Second page")] } };
        return { body: { items: [] } };
      },
    });
    renderAppPage();
    await screen.findByRole("heading", { level: 1, name: "wiki" });
    FakeEventSource.latest().fail(true);
    expect(await screen.findByText(/Live updates unavailable/)).toBeInTheDocument();
    const log = screen.getByRole("log", { name: "Activity" });
    expect(await within(log).findByText(/Second page/)).toBeInTheDocument();
    expect(within(log).getByText(/First page/)).toBeInTheDocument();
    expect(logReads).toBe(2);
    expect(requestsTo(seen, "GET", `/api/apps/${APP_ID}/logs`)[0]?.search.get("limit")).toBe("500");
  });
});
