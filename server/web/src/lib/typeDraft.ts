// The attributo type editor's state, and its conversion from and to the
// five `attributo_type_*` wire objects (spec api-core.md §3.3).
import type { ArrayItemType, AttributoTypeFields } from "../api/types";
import { attributoKind, type AttributoKind } from "./attributo";

export interface TypeDraft {
  kind: AttributoKind;
  // decimal
  min: string;
  minExclusive: boolean;
  max: string;
  maxExclusive: boolean;
  suffix: string;
  standardUnit: boolean;
  tolerance: string;
  toleranceAbsolute: boolean;
  // choice: one value per line
  choices: string;
  // list
  itemType: ArrayItemType;
  minItems: string;
  maxItems: string;
}

export const KIND_LABELS: Record<AttributoKind, string> = {
  string: "text",
  integer: "integer",
  decimal: "decimal number",
  boolean: "yes/no",
  choice: "choice",
  datetime: "date and time",
  chemical: "chemical reference",
  list: "list",
};

export function emptyTypeDraft(kind: AttributoKind = "string"): TypeDraft {
  return {
    kind,
    min: "",
    minExclusive: false,
    max: "",
    maxExclusive: false,
    suffix: "",
    standardUnit: false,
    tolerance: "",
    toleranceAbsolute: false,
    choices: "",
    itemType: "string",
    minItems: "",
    maxItems: "",
  };
}

const str = (x: number | null | undefined) => (x == null ? "" : String(x));

export function typeDraftOf(a: AttributoTypeFields): TypeDraft {
  const d = emptyTypeDraft(attributoKind(a));
  const n = a.attributo_type_number;
  if (n) {
    d.min = str(n.minimum ?? n.exclusiveMinimum);
    d.minExclusive = n.minimum == null && n.exclusiveMinimum != null;
    d.max = str(n.maximum ?? n.exclusiveMaximum);
    d.maxExclusive = n.maximum == null && n.exclusiveMaximum != null;
    d.suffix = n.suffix ?? "";
    d.standardUnit = n.format === "standard-unit";
    d.tolerance = str(n.tolerance);
    d.toleranceAbsolute = n.toleranceIsAbsolute === true;
  }
  if (a.attributo_type_string?.enum) d.choices = a.attributo_type_string.enum.join("\n");
  const l = a.attributo_type_array;
  if (l) {
    d.itemType = l.item_type;
    d.minItems = str(l.minItems);
    d.maxItems = str(l.maxItems);
  }
  return d;
}

type Built = { ok: true; fields: AttributoTypeFields } | { ok: false; error: string };

function optionalNumber(text: string, what: string): { value: number | null } | { error: string } {
  const t = text.trim();
  if (t === "") return { value: null };
  const x = Number(t);
  return Number.isFinite(x) ? { value: x } : { error: `${what} must be a number` };
}

function optionalCount(text: string, what: string): { value: number | null } | { error: string } {
  const t = text.trim();
  if (t === "") return { value: null };
  return /^\d+$/.test(t) ? { value: Number(t) } : { error: `${what} must be a whole number ≥ 0` };
}

/** The wire type object for the draft, or why the draft is not a valid type. */
export function buildType(d: TypeDraft): Built {
  switch (d.kind) {
    case "string":
      return { ok: true, fields: { attributo_type_string: { type: "string" } } };
    case "integer":
      return { ok: true, fields: { attributo_type_integer: { type: "integer" } } };
    case "datetime":
      return { ok: true, fields: { attributo_type_integer: { type: "integer", format: "date-time" } } };
    case "chemical":
      return { ok: true, fields: { attributo_type_integer: { type: "integer", format: "chemical-id" } } };
    case "boolean":
      return { ok: true, fields: { attributo_type_boolean: { type: "boolean" } } };
    case "choice": {
      const choices = d.choices
        .split("\n")
        .map((c) => c.trim())
        .filter((c) => c !== "");
      if (choices.length === 0) return { ok: false, error: "a choice needs at least one value (one per line)" };
      if (new Set(choices).size !== choices.length) return { ok: false, error: "the choices contain a value twice" };
      return { ok: true, fields: { attributo_type_string: { type: "string", enum: choices } } };
    }
    case "list": {
      const lo = optionalCount(d.minItems, "the minimum number of items");
      if ("error" in lo) return { ok: false, error: lo.error };
      const hi = optionalCount(d.maxItems, "the maximum number of items");
      if ("error" in hi) return { ok: false, error: hi.error };
      if (lo.value !== null && hi.value !== null && lo.value > hi.value)
        return { ok: false, error: "the minimum number of items is above the maximum" };
      return {
        ok: true,
        fields: { attributo_type_array: { type: "array", item_type: d.itemType, minItems: lo.value, maxItems: hi.value } },
      };
    }
    case "decimal": {
      const lo = optionalNumber(d.min, "the lower bound");
      if ("error" in lo) return { ok: false, error: lo.error };
      const hi = optionalNumber(d.max, "the upper bound");
      if ("error" in hi) return { ok: false, error: hi.error };
      const tol = optionalNumber(d.tolerance, "the tolerance");
      if ("error" in tol) return { ok: false, error: tol.error };
      if (lo.value !== null && hi.value !== null) {
        const empty = lo.value > hi.value || (lo.value === hi.value && (d.minExclusive || d.maxExclusive));
        if (empty) return { ok: false, error: "the range is empty: the lower bound must be below the upper bound" };
      }
      if (tol.value !== null && tol.value < 0) return { ok: false, error: "the tolerance must not be negative" };
      const suffix = d.suffix.trim();
      if (d.standardUnit && suffix === "") return { ok: false, error: "a standard unit needs the unit (e.g. mm)" };
      return {
        ok: true,
        fields: {
          attributo_type_number: {
            type: "number",
            minimum: lo.value !== null && !d.minExclusive ? lo.value : null,
            exclusiveMinimum: lo.value !== null && d.minExclusive ? lo.value : null,
            maximum: hi.value !== null && !d.maxExclusive ? hi.value : null,
            exclusiveMaximum: hi.value !== null && d.maxExclusive ? hi.value : null,
            suffix: suffix === "" ? null : suffix,
            format: d.standardUnit ? "standard-unit" : null,
            tolerance: tol.value,
            toleranceIsAbsolute: d.toleranceAbsolute,
          },
        },
      };
    }
  }
}
