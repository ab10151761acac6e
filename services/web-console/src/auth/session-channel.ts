/**
 * Tells the console's other tabs of this browser that someone signed in or out here: they share
 * the cookie, so each then checks who is signed in (or signs out) instead of going on showing the
 * pages of someone who is no longer there. Where BroadcastChannel is missing, tabs still check
 * when they come into view or get the focus.
 */
export type SessionChange = "signed-in" | "signed-out";

const CHANNEL = "proximity-session";

export function announceSessionChange(change: SessionChange): void {
  if (typeof BroadcastChannel === "undefined") return;
  const channel = new BroadcastChannel(CHANNEL);
  channel.postMessage(change);
  channel.close();
}

/** Calls `listener` for each change announced by another tab; returns the unsubscribe. */
export function onSessionChangeElsewhere(listener: (change: SessionChange) => void): () => void {
  if (typeof BroadcastChannel === "undefined") return () => undefined;
  const channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = (event: MessageEvent) => {
    if (event.data === "signed-in" || event.data === "signed-out") listener(event.data);
  };
  return () => channel.close();
}
