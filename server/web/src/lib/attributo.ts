// Attributo types (spec api-core.md §3): what kind an attributo is, how its
// values look, and how a form's text becomes a value the server accepts —
// with the same range, choice and list rules the server checks, so that
// mistakes are caught before sending.
import type { AttributoTypeFields, AttributoValue, Chemical, SchemaNumber } from "../api/types";
import { formatDateTime, fromDateTimeInput, toDateTimeInput } from "./time";

export type AttributoKind = "integer" | "decimal" | "string" | "choice" | "boolean" | "datetime" | "chemical" | "list";

export function attributoKind(a: AttributoTypeFields): AttributoKind {
  if (a.attributo_type_number) return "decimal";
  if (a.attributo_type_boolean) return "boolean";
  if (a.attributo_type_integer) {
    const f = a.attributo_type_integer.format;
    return f === "date-time" ? "datetime" : f === "chemical-id" ? "chemical" : "integer";
  }
  if (a.attributo_type_array) return "list";
  if (a.attributo_type_string) return a.attributo_type_string.enum != null ? "choice" : "string";
  return "string";
}

/** Python-like float text for bounds, as the server prints them ("3.0"). */
function floatText(x: number): string {
  return Number.isInteger(x) ? `${x}.0` : String(x);
}

/** "(0.0,10.0]" style range text; null when the type has no bounds. */
export function rangeText(n: SchemaNumber): string | null {
  const lo = n.minimum ?? n.exclusiveMinimum;
  const hi = n.maximum ?? n.exclusiveMaximum;
  if (lo == null && hi == null) return null;
  const open = n.minimum == null ? "(" : "[";
  const close = n.maximum == null ? ")" : "]";
  return `${open}${lo == null ? "-∞" : floatText(lo)},${hi == null ? "∞" : floatText(hi)}${close}`;
}

/** A short human description of the type, e.g. "mm ∈ (3.0,4.0]" or "one of a, b". */
export function describeType(a: AttributoTypeFields): string {
  switch (attributoKind(a)) {
    case "integer":
      return "integer";
    case "datetime":
      return "date-time";
    case "chemical":
      return "chemical";
    case "boolean":
      return "yes/no";
    case "string":
      return "text";
    case "choice":
      return `one of ${(a.attributo_type_string?.enum ?? []).join(", ")}`;
    case "list": {
      const t = a.attributo_type_array!;
      const item = t.item_type === "bool" ? "yes/no" : t.item_type;
      const lo = t.minItems, hi = t.maxItems;
      const count =
        lo != null && hi != null
          ? lo === hi
            ? ` (exactly ${lo} item${lo === 1 ? "" : "s"})`
            : ` (${lo}–${hi} items)`
          : lo != null
            ? ` (≥ ${lo} items)`
            : hi != null
              ? ` (≤ ${hi} items)`
              : "";
      return `list of ${item}${count}`;
    }
    case "decimal": {
      const n = a.attributo_type_number!;
      const range = rangeText(n);
      const unit = n.suffix ? n.suffix : "number";
      const tol = n.tolerance != null ? ` (${n.toleranceIsAbsolute ? "absolute " : ""}tolerance ${n.tolerance})` : "";
      return range ? `${unit} ∈ ${range}${tol}` : unit;
    }
  }
}

/** The unit shown next to values and inputs of decimal attributi. */
export function unitOf(a: AttributoTypeFields): string | null {
  return a.attributo_type_number?.suffix ?? null;
}

/** True when the value object carries no value at all. */
export function isEmptyValue(v: AttributoValue | undefined): boolean {
  if (!v) return true;
  return (
    v.attributo_value_str == null &&
    v.attributo_value_int == null &&
    v.attributo_value_chemical == null &&
    v.attributo_value_datetime == null &&
    v.attributo_value_datetime_local == null &&
    v.attributo_value_float == null &&
    v.attributo_value_bool == null &&
    v.attributo_value_list_str == null &&
    v.attributo_value_list_float == null &&
    v.attributo_value_list_bool == null
  );
}

/** The plain value of a value object, whatever its kind (the first non-null field). */
export function rawValue(v: AttributoValue | undefined): string | number | boolean | (string | number | boolean)[] | null {
  if (!v) return null;
  return (
    v.attributo_value_bool ??
    v.attributo_value_str ??
    v.attributo_value_int ??
    v.attributo_value_float ??
    v.attributo_value_datetime_local ??
    v.attributo_value_datetime ??
    v.attributo_value_list_str ??
    v.attributo_value_list_float ??
    v.attributo_value_list_bool ??
    v.attributo_value_chemical ??
    null
  );
}

function formatNumber(x: number): string {
  if (Number.isInteger(x)) return String(x);
  const abs = Math.abs(x);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e7)) return x.toExponential(4);
  return String(Number(x.toPrecision(8)));
}

/** A value as text for tables and lists ("" when absent). */
export function formatValue(a: AttributoTypeFields, v: AttributoValue | undefined, chemicals: Map<number, string>): string {
  if (isEmptyValue(v)) return "";
  const value = v!;
  switch (attributoKind(a)) {
    case "chemical":
      return value.attributo_value_chemical != null
        ? chemicals.get(value.attributo_value_chemical) ?? `chemical #${value.attributo_value_chemical}`
        : "";
    case "datetime": {
      const t = value.attributo_value_datetime_local ?? value.attributo_value_datetime;
      return t == null ? "" : formatDateTime(t);
    }
    case "boolean":
      return value.attributo_value_bool == null ? "" : value.attributo_value_bool ? "yes" : "no";
    case "decimal": {
      const x = value.attributo_value_float ?? value.attributo_value_int;
      if (x == null) return "";
      const unit = unitOf(a);
      return unit ? `${formatNumber(x)} ${unit}` : formatNumber(x);
    }
    case "list": {
      const l = value.attributo_value_list_str ?? value.attributo_value_list_float ?? value.attributo_value_list_bool;
      if (l == null) return "";
      return l.map((x) => (typeof x === "boolean" ? (x ? "yes" : "no") : typeof x === "number" ? formatNumber(x) : x)).join(", ");
    }
    default: {
      const r = rawValue(value);
      return r == null ? "" : String(r);
    }
  }
}

export function chemicalNames(chemicals: Chemical[]): Map<number, string> {
  return new Map(chemicals.map((c) => [c.id, c.name]));
}

// ---------------------------------------------------------------------------
// Form input

/**
 * What a form holds for one attributo: text for most kinds ("" = no value),
 * "true"/"false"/"" for booleans, a chemical id as text, one list item per
 * line for lists, "YYYY-MM-DDTHH:MM" for date-times.
 */
export type InputText = string;

export function valueToInput(a: AttributoTypeFields, v: AttributoValue | undefined): InputText {
  if (isEmptyValue(v)) return "";
  const value = v!;
  switch (attributoKind(a)) {
    case "boolean":
      return value.attributo_value_bool == null ? "" : String(value.attributo_value_bool);
    case "chemical":
      return value.attributo_value_chemical == null ? "" : String(value.attributo_value_chemical);
    case "datetime": {
      const t = value.attributo_value_datetime_local ?? value.attributo_value_datetime;
      return t == null ? "" : toDateTimeInput(t);
    }
    case "list": {
      const l = value.attributo_value_list_str ?? value.attributo_value_list_float ?? value.attributo_value_list_bool;
      return l == null ? "" : l.map(String).join("\n");
    }
    default: {
      const r = rawValue(value);
      return r == null ? "" : String(r);
    }
  }
}

export type ParseResult = { ok: true; value: AttributoValue | null } | { ok: false; error: string };

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function parseNumber(text: string): number | null {
  const t = text.trim();
  return NUMBER.test(t) ? Number(t) : null;
}

/** Why `x` is outside the decimal type's range, or null when inside. */
export function rangeError(n: SchemaNumber, x: number): string | null {
  const range = rangeText(n);
  const unit = n.suffix ? ` ${n.suffix}` : "";
  const bad =
    (n.minimum != null && x < n.minimum) ||
    (n.exclusiveMinimum != null && x <= n.exclusiveMinimum) ||
    (n.maximum != null && x > n.maximum) ||
    (n.exclusiveMaximum != null && x >= n.exclusiveMaximum);
  return bad ? `${x}${unit} is outside the allowed range ${range}${unit}` : null;
}

function parseBool(text: string): boolean | null {
  const t = text.trim().toLowerCase();
  if (["true", "yes", "1"].includes(t)) return true;
  if (["false", "no", "0"].includes(t)) return false;
  return null;
}

/**
 * Turns form text into the value object to send (null: no value), or says
 * what is wrong with it. `chemicalIds` are the chemicals a reference may name.
 */
export function parseInput(a: AttributoTypeFields & { id: number }, text: InputText, chemicalIds?: Set<number>): ParseResult {
  const id = a.id;
  const t = text.trim();
  const kind = attributoKind(a);
  if (t === "" && kind !== "string") return { ok: true, value: null };
  switch (kind) {
    case "string":
      return { ok: true, value: text === "" ? null : { attributo_id: id, attributo_value_str: text } };
    case "choice": {
      const choices = a.attributo_type_string?.enum ?? [];
      if (!choices.includes(text)) return { ok: false, error: `choose one of ${choices.join(", ")}` };
      return { ok: true, value: { attributo_id: id, attributo_value_str: text } };
    }
    case "integer": {
      if (!/^[+-]?\d+$/.test(t)) return { ok: false, error: "enter a whole number" };
      const n = Number(t);
      if (!Number.isSafeInteger(n)) return { ok: false, error: "the number is too large" };
      return { ok: true, value: { attributo_id: id, attributo_value_int: n } };
    }
    case "decimal": {
      const x = parseNumber(t);
      if (x === null || !Number.isFinite(x)) return { ok: false, error: "enter a number" };
      const err = rangeError(a.attributo_type_number!, x);
      if (err) return { ok: false, error: err };
      return { ok: true, value: { attributo_id: id, attributo_value_float: x } };
    }
    case "boolean": {
      const b = parseBool(t);
      if (b === null) return { ok: false, error: "choose yes or no" };
      return { ok: true, value: { attributo_id: id, attributo_value_bool: b } };
    }
    case "datetime": {
      const ms = fromDateTimeInput(t);
      if (ms === null) return { ok: false, error: "enter a date and time (YYYY-MM-DD HH:MM)" };
      return { ok: true, value: { attributo_id: id, attributo_value_datetime_local: ms } };
    }
    case "chemical": {
      const n = Number(t);
      if (!Number.isInteger(n) || (chemicalIds && !chemicalIds.has(n))) return { ok: false, error: "choose a chemical" };
      return { ok: true, value: { attributo_id: id, attributo_value_chemical: n } };
    }
    case "list":
      return parseList(a, id, text);
  }
}

function parseList(a: AttributoTypeFields, id: number, text: string): ParseResult {
  const t = a.attributo_type_array!;
  const items = text
    .split("\n")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (t.minItems != null && items.length < t.minItems)
    return { ok: false, error: `enter at least ${t.minItems} item${t.minItems === 1 ? "" : "s"} (one per line)` };
  if (t.maxItems != null && items.length > t.maxItems)
    return { ok: false, error: `enter at most ${t.maxItems} item${t.maxItems === 1 ? "" : "s"}` };
  if (items.length === 0) return { ok: true, value: null };
  if (t.item_type === "string") return { ok: true, value: { attributo_id: id, attributo_value_list_str: items } };
  if (t.item_type === "number") {
    const nums = items.map(parseNumber);
    const bad = nums.findIndex((x) => x === null || !Number.isFinite(x));
    if (bad >= 0) return { ok: false, error: `item ${bad + 1} (“${items[bad]}”) is not a number` };
    return { ok: true, value: { attributo_id: id, attributo_value_list_float: nums as number[] } };
  }
  const bools = items.map(parseBool);
  const bad = bools.findIndex((x) => x === null);
  if (bad >= 0) return { ok: false, error: `item ${bad + 1} (“${items[bad]}”) is not yes/no` };
  return { ok: true, value: { attributo_id: id, attributo_value_list_bool: bools as boolean[] } };
}

/**
 * Parses every input of a form. Returns the values to send and the errors by
 * attributo id; values are only meaningful when there are no errors.
 */
export function parseForm(
  attributi: (AttributoTypeFields & { id: number })[],
  inputs: Record<number, InputText>,
  chemicalIds?: Set<number>,
): { values: AttributoValue[]; errors: Record<number, string> } {
  const values: AttributoValue[] = [];
  const errors: Record<number, string> = {};
  for (const a of attributi) {
    const r = parseInput(a, inputs[a.id] ?? "", chemicalIds);
    if (!r.ok) errors[a.id] = r.error;
    else if (r.value) values.push(r.value);
  }
  return { values, errors };
}
