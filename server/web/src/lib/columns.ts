// Which columns the runs table shows, remembered per beamtime in local
// storage. Columns are keys: built-ins ("id", "started", ...) and run
// attributi ("a:<attributo id>").
import type { Attributo } from "../api/types";

export const BUILTIN_COLUMNS = ["id", "started", "stopped", "duration", "experiment_type"] as const;
export type BuiltinColumn = (typeof BUILTIN_COLUMNS)[number];
export type ColumnKey = BuiltinColumn | `a:${number}`;

export const BUILTIN_LABELS: Record<BuiltinColumn, string> = {
  id: "Run",
  started: "Started",
  stopped: "Stopped",
  duration: "Duration",
  experiment_type: "Experiment type",
};

/** How many attributo columns a beamtime shows before anyone chose. */
export const DEFAULT_ATTRIBUTO_COLUMNS = 8;

export const attributoColumn = (id: number): ColumnKey => `a:${id}`;

export function attributoIdOf(key: ColumnKey): number | null {
  return key.startsWith("a:") ? Number(key.slice(2)) : null;
}

/** The subset of Storage the column state needs (so tests can pass a Map). */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export const storageKey = (beamtimeId: number) => `amarcord.runs.columns.${beamtimeId}`;

/** Built-ins, then the first run attributi: manual ones first, by name. */
export function defaultColumns(runAttributi: Attributo[]): ColumnKey[] {
  const sorted = [...runAttributi].sort(
    (a, b) => Number(b.group === "manual") - Number(a.group === "manual") || a.name.localeCompare(b.name),
  );
  return [
    "id",
    "started",
    "stopped",
    "experiment_type",
    ...sorted.slice(0, DEFAULT_ATTRIBUTO_COLUMNS).map((a) => attributoColumn(a.id)),
  ];
}

function isColumnKey(x: unknown): x is ColumnKey {
  if (typeof x !== "string") return false;
  if ((BUILTIN_COLUMNS as readonly string[]).includes(x)) return true;
  return /^a:\d+$/.test(x);
}

/**
 * The columns remembered for the beamtime, without attributi that no longer
 * exist; the defaults when nothing (valid) is stored.
 */
export function loadColumns(store: KeyValueStore, beamtimeId: number, runAttributi: Attributo[]): ColumnKey[] {
  let stored: unknown;
  try {
    const text = store.getItem(storageKey(beamtimeId));
    stored = text === null ? null : JSON.parse(text);
  } catch {
    stored = null;
  }
  if (!Array.isArray(stored)) return defaultColumns(runAttributi);
  const known = new Set(runAttributi.map((a) => a.id));
  const seen = new Set<string>();
  const columns: ColumnKey[] = [];
  for (const k of stored) {
    if (!isColumnKey(k) || seen.has(k)) continue;
    const id = attributoIdOf(k);
    if (id !== null && !known.has(id)) continue;
    seen.add(k);
    columns.push(k);
  }
  return columns;
}

export function saveColumns(store: KeyValueStore, beamtimeId: number, columns: ColumnKey[]): void {
  try {
    store.setItem(storageKey(beamtimeId), JSON.stringify(columns));
  } catch {
    // Storage full or disabled (private mode): the choice lasts for this page only.
  }
}

/** Shows or hides one column; a shown column keeps its place, a new one goes last. */
export function toggleColumn(columns: ColumnKey[], key: ColumnKey): ColumnKey[] {
  return columns.includes(key) ? columns.filter((k) => k !== key) : [...columns, key];
}

/** Moves a column one place left (-1) or right (+1). */
export function moveColumn(columns: ColumnKey[], key: ColumnKey, delta: -1 | 1): ColumnKey[] {
  const i = columns.indexOf(key);
  const j = i + delta;
  if (i < 0 || j < 0 || j >= columns.length) return columns;
  const next = [...columns];
  [next[i], next[j]] = [next[j], next[i]];
  return next;
}
