import { act, renderHook } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { type AppMoment, useActionNote } from "./useActionNote";

const A = "11111111-1111-4111-8111-111111111111";
const moment = (overrides: Partial<AppMoment> = {}): AppMoment => ({
  id: A,
  status: "running",
  current_operation: null,
  updated_at: "2025-01-03T10:00:00Z",
  ...overrides,
});

function noteOn(first: AppMoment) {
  return renderHook(({ app }) => useActionNote(app), { initialProps: { app: first } });
}

describe("useActionNote", () => {
  it("waits for the page's copy of the app to catch up with the action's answer", () => {
    const view = noteOn(moment());
    const answer = moment({
      status: "stopping",
      current_operation: "stop",
      updated_at: "2025-01-03T10:00:01Z",
    });
    act(() => view.result.current.say("Stop requested.", "stop", answer));
    // The app as read before the answer: not a change of the app.
    expect(view.result.current.text).toBe("Stop requested.");
    view.rerender({ app: answer });
    expect(view.result.current.text).toBe("Stop requested.");
    view.rerender({ app: moment({ status: "stopped", updated_at: "2025-01-03T10:00:05Z" }) });
    expect(view.result.current.text).toBe("");
  });

  it("is about one app: another app shown in its place never carries it", () => {
    const view = noteOn(moment());
    act(() => view.result.current.say("Backup started.", "backup"));
    view.rerender({
      app: moment({
        id: "22222222-2222-4222-8222-222222222222",
        current_operation: "backup",
        updated_at: "2025-01-01T00:00:00Z",
      }),
    });
    expect(view.result.current.text).toBe("");
  });

  it("goes for good: the app coming back to the state it was in does not bring it back", () => {
    const view = noteOn(moment());
    act(() => view.result.current.say("Restart requested.", "restart"));
    view.rerender({ app: moment({ status: "stopped", updated_at: "2025-01-03T10:01:00Z" }) });
    view.rerender({ app: moment() });
    expect(view.result.current.text).toBe("");
  });
});
