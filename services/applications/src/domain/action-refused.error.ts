import { InvalidTransitionError } from "@proximity/errors";

/**
 * An action the app's status does not allow (409), with a message that says why in the user's
 * words ("Cannot start the app while it is deploying") instead of naming two states.
 */
export class ActionRefusedError extends InvalidTransitionError {
  constructor(from: string, action: string, reason: string) {
    super("app", from, action);
    this.message = reason;
  }
}
