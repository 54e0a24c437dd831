// Where in the filter text the server's error points. The server's messages
// end with "(at character N: token)" (N counts characters from 1) or
// "(at the end)" (spec api-runs-events-files.md §8, our run_filter.cpp).

export interface FilterErrorPosition {
  /** UTF-16 offset of the offending token in the text (for input selection). */
  start: number;
  /** UTF-16 offset just after it (start === end: a place, e.g. the end). */
  end: number;
  /** The message without the "error in filter string: " prefix and the position suffix. */
  message: string;
}

const PREFIX = "error in filter string: ";

/** Converts a code-point index into a UTF-16 index of `text`. */
function utf16Index(text: string, codePoints: number): number {
  let i = 0;
  let n = 0;
  for (const ch of text) {
    if (n === codePoints) return i;
    i += ch.length;
    n++;
  }
  return text.length;
}

export function filterErrorPosition(text: string, detail: string): FilterErrorPosition {
  let message = detail.startsWith(PREFIX) ? detail.slice(PREFIX.length) : detail;
  const at = /\s*\(at character (\d+): (.*)\)\s*$/s.exec(message);
  if (at) {
    message = message.slice(0, at.index);
    const start = utf16Index(text, Number(at[1]) - 1);
    // The token as the server printed it (control characters escaped); when it
    // matches the text there, highlight exactly it, else one character.
    const token = at[2];
    const end = text.startsWith(token, start) ? start + token.length : Math.min(text.length, start + 1);
    return { start, end, message };
  }
  const atEnd = /\s*\(at the end\)\s*$/.exec(message);
  if (atEnd) {
    message = message.slice(0, atEnd.index);
    const end = text.trimEnd().length;
    return { start: end, end, message };
  }
  return { start: 0, end: 0, message };
}

/** True when a 400 detail is a filter error (and not, e.g., a bad date). */
export function isFilterError(detail: string | null): detail is string {
  return detail !== null && detail.startsWith(PREFIX);
}
