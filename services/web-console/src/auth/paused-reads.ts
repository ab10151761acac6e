import { onlineManager } from "@tanstack/react-query";

/**
 * Reads wait while the session is ended, as TanStack Query makes them wait offline (paused: each
 * keeps its data and resumes by itself). The browser's online and offline events still count, but
 * through this listener, so coming back online cannot resume reads that would only be refused, or
 * be answered for someone who signed in from another tab meanwhile.
 */
let sessionEnded = false;
let report: ((online: boolean) => void) | undefined;

const networkOnline = () => typeof navigator === "undefined" || navigator.onLine !== false;
const update = () => report?.(networkOnline() && !sessionEnded);

onlineManager.setEventListener((setOnline) => {
  report = setOnline;
  window.addEventListener("online", update);
  window.addEventListener("offline", update);
  return () => {
    window.removeEventListener("online", update);
    window.removeEventListener("offline", update);
    report = undefined;
  };
});

/** Holds every read while `ended`; lets them go (when the network is there) once it is not. */
export function pauseReadsWhileEnded(ended: boolean): void {
  sessionEnded = ended;
  update();
}
