// The one place that turns failed API calls into sentences for people.
import type { ValidationErrorItem } from "./types";

/** A non-2xx answer of the API, with its parsed body when it was JSON. */
export class ApiError extends Error {
  readonly status: number;
  readonly body: unknown;
  readonly requestId: string | null;

  constructor(status: number, body: unknown, requestId: string | null = null) {
    super(`HTTP ${status}`);
    this.name = "ApiError";
    this.status = status;
    this.body = body;
    this.requestId = requestId;
  }

  /** The `detail` string of a 400/404 answer, if there is one. */
  get detailText(): string | null {
    const d = detailOf(this.body);
    return typeof d === "string" ? d : null;
  }
}

function detailOf(body: unknown): unknown {
  if (body !== null && typeof body === "object" && "detail" in body) {
    return (body as { detail: unknown }).detail;
  }
  return undefined;
}

function isValidationItem(x: unknown): x is ValidationErrorItem {
  return x !== null && typeof x === "object" && "msg" in x && "loc" in x;
}

/** "body → attributi → 0 → name" without the leading "body"/"path"/"query". */
export function describeLocation(loc: (string | number)[]): string {
  const parts = loc.length > 1 && ["body", "path", "query"].includes(String(loc[0])) ? loc.slice(1) : loc;
  return parts.map(String).join(" → ");
}

function validationMessage(items: ValidationErrorItem[]): string {
  if (items.length === 0) return "The server refused the request as invalid.";
  const lines = items.map((i) => {
    const where = describeLocation(i.loc);
    return where ? `${where}: ${i.msg}` : i.msg;
  });
  return `The server refused the input: ${lines.join("; ")}`;
}

/**
 * A message for any error a call can throw: API answers by status (400 and
 * 404 carry a `detail` string, 422 a list of validation errors, 413 means too
 * large), network failures, and anything else.
 */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) {
    const detail = detailOf(err.body);
    switch (err.status) {
      case 400:
        return typeof detail === "string" && detail !== "" ? detail : "The server refused the request.";
      case 404:
        return typeof detail === "string" && detail !== "Not Found"
          ? `Not found: ${detail}`
          : "Not found: the item does not exist (any more).";
      case 413:
        return "Too large: the server does not accept a file or request of this size.";
      case 422:
        if (Array.isArray(detail)) return validationMessage(detail.filter(isValidationItem));
        return typeof detail === "string" ? detail : "The server refused the input as invalid.";
      case 503:
        return "The database is busy or unreachable; please try again in a moment.";
      default: {
        const id = err.requestId ? ` (request id ${err.requestId})` : "";
        if (err.status >= 500) return `The server failed to answer (HTTP ${err.status})${id}.`;
        const text = typeof detail === "string" ? `: ${detail}` : "";
        return `The request failed (HTTP ${err.status})${text}${id}.`;
      }
    }
  }
  if (err instanceof TypeError) return "Cannot reach the server; check the network connection.";
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * The 422 items that concern one body field (for showing errors next to
 * their input), e.g. fieldErrors(err, "name").
 */
export function fieldErrors(err: unknown, field: string): string[] {
  if (!(err instanceof ApiError) || err.status !== 422) return [];
  const detail = detailOf(err.body);
  if (!Array.isArray(detail)) return [];
  return detail.filter(isValidationItem).filter((i) => i.loc[0] === "body" && i.loc[1] === field).map((i) => i.msg);
}

/**
 * The attributo a "error validating attributi: attributo <id>: …" answer is
 * about, so a form can show the message under that input.
 */
export function attributoIdOfError(err: unknown): number | null {
  if (!(err instanceof ApiError)) return null;
  const text = err.detailText;
  if (text === null) return null;
  const m = /attributo (\d+)[: ]/.exec(text) ?? /attributo with ID (\d+)/.exec(text);
  return m ? Number(m[1]) : null;
}
