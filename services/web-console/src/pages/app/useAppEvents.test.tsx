import { act, screen, within } from "@testing-library/react";
import { Route } from "react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fakeApi, requestsTo } from "../../test/fake-api";
import { FakeEventSource } from "../../test/fake-event-source";
import { APP_ID, makeApp } from "../../test/fixtures";
import { renderAt } from "../../test/render";
import { AppPage } from "./AppPage";
import { HIDDEN_GRACE_MS } from "./useAppEvents";

const line = (id: number, message: string, level = "info") => ({
  id,
  level,
  step: "deploy",
  message,
  created_at: "2025-01-01T10:00:00Z",
});

beforeEach(() => FakeEventSource.install());
afterEach(() => {
  vi.useRealTimers();
  showTab("visible");
});

/** The tab going to the background or coming back, as the browser tells the page. */
function showTab(state: "visible" | "hidden") {
  Object.defineProperty(document, "visibilityState", { configurable: true, get: () => state });
  document.dispatchEvent(new Event("visibilitychange"));
}

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
    // A user cannot reach kept backups: the page says who can.
    expect(
      screen.getByText("If its backups were kept, only an administrator can restore them: ask one."),
    ).toBeInTheDocument();
    expect(screen.queryByRole("link", { name: "Backups of deleted apps" })).not.toBeInTheDocument();
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

  it("gives its stream back while the tab is hidden, then resumes after the last line it holds", async () => {
    const { source } = await openPage();
    source.open();
    source.emit("log", line(1, "Pulling the image"), 1);
    source.emit("log", line(2, "Starting the container"), 2);
    const log = screen.getByRole("log", { name: "Activity" });
    await within(log).findByText(/Starting the container/);

    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"], shouldAdvanceTime: true });
    act(() => showTab("hidden"));
    // A glance away keeps the stream.
    act(() => vi.advanceTimersByTime(HIDDEN_GRACE_MS - 1_000));
    expect(source.closed).toBe(false);
    act(() => showTab("visible"));
    act(() => showTab("hidden"));
    act(() => vi.advanceTimersByTime(HIDDEN_GRACE_MS - 1_000));
    expect(source.closed).toBe(false);
    act(() => vi.advanceTimersByTime(1_000));
    expect(source.closed).toBe(true);
    expect(await screen.findByText(/Paused while this tab is in the background/)).toBeInTheDocument();
    expect(FakeEventSource.instances).toHaveLength(1);

    act(() => showTab("visible"));
    const resumed = FakeEventSource.latest();
    expect(FakeEventSource.instances).toHaveLength(2);
    expect(resumed.url).toBe(`/api/apps/${APP_ID}/events?after_id=2`);
    resumed.open();
    resumed.emit("log", line(3, "Ready"), 3);
    expect(await within(log).findByText(/Ready/)).toBeInTheDocument();
    expect(within(log).getByText(/Pulling the image/)).toBeInTheDocument();
    expect(screen.getByText("Live")).toBeInTheDocument();
  });

  it("stops reading the logs while the tab is hidden when it had fallen back to reading them", async () => {
    let logReads = 0;
    fakeApi({
      [`GET /api/apps/${APP_ID}`]: { body: makeApp() },
      [`GET /api/apps/${APP_ID}/logs`]: () => {
        logReads += 1;
        return { body: { items: [line(logReads, `Read ${logReads}`)] } };
      },
    });
    renderAppPage();
    await screen.findByRole("heading", { level: 1, name: "wiki" });
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"], shouldAdvanceTime: true });
    FakeEventSource.latest().fail(true);
    const log = screen.getByRole("log", { name: "Activity" });
    await within(log).findByText(/Read 1/);
    act(() => showTab("hidden"));
    await act(async () => vi.advanceTimersByTimeAsync(HIDDEN_GRACE_MS));
    const readsWhenPaused = logReads;
    await act(async () => vi.advanceTimersByTimeAsync(60_000));
    expect(logReads).toBe(readsWhenPaused);
    act(() => showTab("visible"));
    // Back in view: a stream is tried again first, from after the last line read.
    expect(FakeEventSource.latest().url).toMatch(/\/events\?after_id=\d+$/);
  });
});
