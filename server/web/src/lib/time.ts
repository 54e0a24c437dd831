// Times on the wire are epoch milliseconds; `*_local` values are the
// beamline's wall clock encoded as if it were UTC (spec api-core.md §2), so
// they are shown by formatting them as UTC, and input wall-clock times are
// sent the same way. The browser's own time zone never matters.

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** "2025-04-30" of a local-encoded time. */
export function formatDate(local: number): string {
  const d = new Date(local);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** "14:02" of a local-encoded time. */
export function formatTime(local: number): string {
  const d = new Date(local);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** "14:02:07" of a local-encoded time. */
export function formatTimeSeconds(local: number): string {
  const d = new Date(local);
  return `${formatTime(local)}:${pad(d.getUTCSeconds())}`;
}

/** "2025-04-30 14:02" of a local-encoded time. */
export function formatDateTime(local: number): string {
  return `${formatDate(local)} ${formatTime(local)}`;
}

/** The value of an <input type="datetime-local"> for a local-encoded time. */
export function toDateTimeInput(local: number): string {
  return `${formatDate(local)}T${formatTime(local)}`;
}

/**
 * A local-encoded time from an <input type="datetime-local"> value
 * ("2025-04-30T14:02" or with seconds); null when it is not one.
 */
export function fromDateTimeInput(value: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x)));
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return null;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  // Date.UTC rolls 2025-02-31 over into March; that is not what was typed.
  return new Date(ms).getUTCDate() === d ? ms : null;
}

/** "5 s", "3 min", "2 h 5 min", "3 d 4 h" for a duration in milliseconds. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return `${h} h ${min % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** The UTC date ("YYYY-MM-DD") of a UTC time, as the server's date filters use. */
export function utcDate(utc: number): string {
  return formatDate(utc);
}

/** When a live image counts as stale: the grabber normally writes every few seconds. */
export const LIVE_IMAGE_STALE_AFTER_MS = 30_000;

export interface LiveImageAge {
  ageMs: number;
  stale: boolean;
  /** "HH:MM" (beamline time) of the last frame, shown while stale. */
  staleSince: string | null;
}

/**
 * How old the live image is. `modified` is true UTC, compared with the
 * browser's clock corrected by `clockOffsetMs` (server time minus browser
 * time, from the HTTP Date header when the server sends one).
 */
export function liveImageAge(
  modified: number,
  modifiedLocal: number,
  nowMs: number,
  clockOffsetMs = 0,
  staleAfterMs = LIVE_IMAGE_STALE_AFTER_MS,
): LiveImageAge {
  const ageMs = Math.max(0, nowMs + clockOffsetMs - modified);
  const stale = ageMs > staleAfterMs;
  return { ageMs, stale, staleSince: stale ? formatTime(modifiedLocal) : null };
}
