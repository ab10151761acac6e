import type { ApiError } from "../../api/errors";
import { takenHostnameMessage } from "../../lib/hostname";
import type { FieldErrors } from "./deployForm";

export interface DeployProblems {
  /** Shown at their fields. */
  readonly fieldErrors: FieldErrors;
  /** Shown above the form: what happened, and problems with no field of their own. */
  readonly summary: string;
  readonly unplaced: readonly string[];
}

const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);

/** Plain words for a status where the API's detail alone does not say what to do next. */
function summaryOf(error: ApiError): string {
  if (error.status === 400) return "The app was not deployed: correct the fields marked below.";
  if (error.status === 429) {
    const wait = error.retryAfterSeconds ? ` Try again in ${error.retryAfterSeconds} seconds.` : "";
    return `${sentence(error.message)}${wait}`;
  }
  if (error.status >= 500) return `${sentence(error.message)} Nothing was deployed; try again shortly.`;
  return sentence(error.message);
}

/**
 * Sorts an API error of POST /api/apps into messages at the form's fields and a summary. A 409
 * about the host name (it is taken) belongs to the hostname field; other conflicts (a host being
 * removed) only to the summary.
 */
export function deployProblemsOf(error: ApiError, formFields: ReadonlySet<string>): DeployProblems {
  const fieldErrors: Record<string, string> = {};
  const unplaced: string[] = [];
  for (const { field, message } of error.fieldErrors) {
    if (formFields.has(field) && !fieldErrors[field]) fieldErrors[field] = message;
    else unplaced.push(`${field}: ${message}`);
  }
  const taken = takenHostnameMessage(error);
  if (taken) fieldErrors.hostname = taken;
  const summary = error.status === 400 && error.fieldErrors.length === 0 ? error.message : summaryOf(error);
  return { fieldErrors, summary, unplaced };
}

/** A field's message as a sentence: the API's "is required" reads "DB_PASSWORD is required". */
export function atField(label: string, message: string | undefined): string | undefined {
  if (!message) return undefined;
  return /^[a-z]/.test(message) ? `${label} ${message}` : message;
}
