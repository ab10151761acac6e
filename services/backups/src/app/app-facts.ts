import type { applicationsEventsV1, applicationsV1 } from "@proximity/proto";
import type { AppFacts } from "../db/app-owner.repository.js";

/** What this service keeps of an app the applications service answered with. */
export function appFactsOf(app: applicationsV1.App): AppFacts {
  return { appId: app.id, ownerId: app.ownerId, hostname: app.hostname, catalogId: app.catalogId };
}

/** The same, from an app event's AppRef (the caller checked it names the app and its owner). */
export function appFactsOfRef(ref: applicationsEventsV1.AppRef): AppFacts {
  return { appId: ref.appId, ownerId: ref.ownerId, hostname: ref.hostname, catalogId: ref.catalogId };
}
