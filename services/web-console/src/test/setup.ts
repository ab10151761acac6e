import "@testing-library/jest-dom/vitest";
import { cleanup, configure } from "@testing-library/react";
import { afterEach, vi } from "vitest";
import { resetRateLimitBackOff } from "../api/client";
import { resetServerClock } from "../api/server-clock";

// jsdom has no modal dialogs: open and close toggle the attribute, as a browser's would.
if (typeof HTMLDialogElement.prototype.showModal !== "function") {
  HTMLDialogElement.prototype.showModal = function showModal(this: HTMLDialogElement) {
    this.setAttribute("open", "");
  };
  HTMLDialogElement.prototype.close = function close(this: HTMLDialogElement) {
    this.removeAttribute("open");
    this.dispatchEvent(new Event("close"));
  };
}

// findBy… and waitFor wait up to 10 s (1 s by default), for a machine busy with other suites.
configure({ asyncUtilTimeout: 10_000 });

afterEach(() => {
  cleanup();
  // Each test stubs its own network (fakeApi) and EventSource.
  vi.unstubAllGlobals();
  resetRateLimitBackOff();
  resetServerClock();
});
