// Sorting of runs by a table column. Absent values always sort last, in
// both directions, so that they do not crowd the top of the table.
import type { Attributo, Run } from "../api/types";
import { attributoKind, formatValue } from "./attributo";
import type { ColumnKey } from "./columns";
import { attributoIdOf } from "./columns";

export type SortDirection = "asc" | "desc";
export interface SortState {
  key: ColumnKey;
  dir: SortDirection;
}

type SortValue = number | string | null;

export interface SortContext {
  attributi: Map<number, Attributo>;
  chemicals: Map<number, string>;
  experimentTypes: Map<number, string>;
  now: number;
}

export function runSortValue(run: Run, key: ColumnKey, ctx: SortContext): SortValue {
  switch (key) {
    case "id":
      return run.external_id;
    case "started":
      return run.started;
    case "stopped":
      return run.stopped ?? null;
    case "duration":
      return (run.stopped ?? ctx.now) - run.started;
    case "experiment_type":
      return ctx.experimentTypes.get(run.experiment_type_id) ?? null;
  }
  const id = attributoIdOf(key);
  const a = id === null ? undefined : ctx.attributi.get(id);
  const v = run.attributi.find((x) => x.attributo_id === id);
  if (!a || !v) return null;
  switch (attributoKind(a)) {
    case "integer":
      return v.attributo_value_int ?? null;
    case "decimal":
      return v.attributo_value_float ?? v.attributo_value_int ?? null;
    case "datetime":
      return v.attributo_value_datetime ?? null;
    case "boolean":
      return v.attributo_value_bool == null ? null : Number(v.attributo_value_bool);
    default: {
      const text = formatValue(a, v, ctx.chemicals);
      return text === "" ? null : text;
    }
  }
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

export function compareSortValues(a: SortValue, b: SortValue, dir: SortDirection): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  const c = typeof a === "number" && typeof b === "number" ? a - b : collator.compare(String(a), String(b));
  return dir === "asc" ? c : -c;
}

/** A sorted copy; ties keep the server's order (external id descending). */
export function sortRuns(runs: Run[], sort: SortState, ctx: SortContext): Run[] {
  const keyed = runs.map((run, index) => ({ run, index, value: runSortValue(run, sort.key, ctx) }));
  keyed.sort((x, y) => compareSortValues(x.value, y.value, sort.dir) || x.index - y.index);
  return keyed.map((k) => k.run);
}

/** Clicking a header: a new column sorts ascending, the same one flips. */
export function nextSort(current: SortState | null, key: ColumnKey): SortState {
  if (current && current.key === key) return { key, dir: current.dir === "asc" ? "desc" : "asc" };
  return { key, dir: "asc" };
}
