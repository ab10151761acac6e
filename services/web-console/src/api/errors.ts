/** A field the API refused, as `errors` of a 400 answer. */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

/** An API error answer: its status, the API's `detail` and any field errors. */
export class ApiError extends Error {
  readonly status: number;
  readonly fieldErrors: readonly FieldError[];
  readonly retryAfterSeconds: number | undefined;

  constructor(status: number, detail: string, fieldErrors: readonly FieldError[] = [], retryAfter?: number) {
    super(detail);
    this.name = "ApiError";
    this.status = status;
    this.fieldErrors = fieldErrors;
    this.retryAfterSeconds = retryAfter;
  }

  /** The message for one field (`environment.DB_PASSWORD`, `hostname`…), if the API named it. */
  fieldMessage(field: string): string | undefined {
    return this.fieldErrors.find((e) => e.field === field)?.message;
  }
}

interface ErrorBody {
  detail?: unknown;
  errors?: unknown;
}

/** What a person reads for a status the API gave no usable detail for. */
function fallbackDetail(status: number): string {
  if (status === 0) return "The server could not be reached. Check your connection and try again.";
  if (status === 401) return "Your session has ended. Please sign in again.";
  if (status === 403) return "You are not allowed to do this.";
  if (status === 404) return "This was not found. It may have been deleted, or it is not yours.";
  if (status === 429) return "Too many requests. Please wait a moment and try again.";
  if (status >= 500) return "The service is unavailable right now. Please try again shortly.";
  return "The request could not be completed.";
}

/** Turns an error answer (status and parsed body) into an ApiError. */
export function toApiError(status: number, body: unknown, retryAfter?: string | null): ApiError {
  const { detail, errors } = (body ?? {}) as ErrorBody;
  const fields = Array.isArray(errors)
    ? errors
        .filter((e): e is FieldError => typeof e?.field === "string" && typeof e?.message === "string")
        .map((e) => ({ field: e.field, message: e.message }))
    : [];
  const seconds = retryAfter ? Number.parseInt(retryAfter, 10) : undefined;
  const message = typeof detail === "string" && detail ? detail : fallbackDetail(status);
  return new ApiError(status, message, fields, Number.isFinite(seconds) ? seconds : undefined);
}

/** Any thrown value as an ApiError (a network failure is status 0). */
export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError(0, fallbackDetail(0));
}

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The data of an openapi-fetch result, or throws its ApiError. */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>;
  try {
    result = await call;
  } catch {
    throw new ApiError(0, fallbackDetail(0));
  }
  if (result.error !== undefined || !result.response.ok) {
    throw toApiError(result.response.status, result.error, result.response.headers.get("retry-after"));
  }
  return result.data as T;
}
