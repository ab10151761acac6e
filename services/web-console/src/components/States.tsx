import type { ReactNode } from "react";
import { Link } from "react-router";
import { type ApiError, asApiError } from "../api/errors";
import { useAppsTitle } from "../auth/apps-title";

export function Loading({ label = "Loading…" }: { readonly label?: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

interface EmptyProps {
  readonly title: string;
  readonly children?: ReactNode;
}

export function Empty({ title, children }: EmptyProps) {
  return (
    <div className="state state-empty">
      <h2>{title}</h2>
      {children}
    </div>
  );
}

interface NotFoundProps {
  /** Why nothing is here (deleted, someone else's, a wrong link): the page's title already says "not found". */
  readonly title: string;
  /** What was looked for, and what the reader can check. */
  readonly children: ReactNode;
  /** The list to go back to. */
  readonly back: { readonly to: string; readonly label: string };
}

/**
 * Where an address names nothing (a 404 of the thing the page is about): under a page title that
 * says what was not found ("User not found"), why that may be and the way back to its list.
 */
export function NotFound({ title, children, back }: NotFoundProps) {
  return (
    <div className="state state-empty">
      <h2>{title}</h2>
      {children}
      <Link className="button" to={back.to}>
        {back.label}
      </Link>
    </div>
  );
}

/** A heading for each kind of failure a person meets, in plain words. */
function headingOf(error: ApiError): string {
  if (error.status === 0) return "Cannot reach Proximity";
  if (error.status === 403) return "Not allowed";
  if (error.status === 404) return "Not found";
  if (error.status === 429) return "Slow down";
  if (error.status >= 500) return "Service unavailable";
  return "Something went wrong";
}

interface ErrorStateProps {
  readonly error: unknown;
  /** Offers "Try again" when given. */
  readonly retry?: () => void;
  /** Where a 403 or 404 leads back to (the list the missing thing belongs in); the apps by default. */
  readonly back?: { readonly to: string; readonly label: string };
}

/** An error where content should be: the API's `detail`, and what the person can do next. */
export function ErrorState({ error, retry, back }: ErrorStateProps) {
  const apiError = asApiError(error);
  const appsTitle = useAppsTitle();
  return (
    <div className="state state-error" role="alert">
      <h2>{headingOf(apiError)}</h2>
      <p>{apiError.message}</p>
      <div className="state-actions">
        {retry && apiError.status !== 403 && apiError.status !== 404 ? (
          <button type="button" className="button" onClick={retry}>
            Try again
          </button>
        ) : null}
        {apiError.status === 403 || apiError.status === 404 ? (
          <Link className="button" to={back?.to ?? "/apps"}>
            {back?.label ?? `Go to ${appsTitle}`}
          </Link>
        ) : null}
      </div>
    </div>
  );
}

/** An error beside a form or an action (not replacing the page). */
export function InlineError({ error }: { readonly error: unknown }) {
  if (!error) return null;
  return (
    <p className="inline-error" role="alert" tabIndex={-1}>
      {asApiError(error).message}
    </p>
  );
}
