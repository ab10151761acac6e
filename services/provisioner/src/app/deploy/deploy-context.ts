/** The deploy request and an attempt at it (the shared machinery lives in ../operations). */
import type { applicationsEventsV1 } from "@proximity/proto";
import type { Attempt } from "../operations/context.js";

export type DeployRequest = applicationsEventsV1.AppDeployRequested;

export type DeployAttempt = Attempt<DeployRequest>;
