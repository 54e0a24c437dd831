import { describe, expect, it } from "vitest";
import type { Attributo } from "../api/types";
import { attributoKind, describeType, formatValue, parseForm, parseInput, rangeError, valueToInput } from "./attributo";

const base = { description: "", group: "manual", associated_table: "chemical" as const };
const decimal: Attributo = {
  ...base,
  id: 1,
  name: "flow",
  attributo_type_number: { type: "number", exclusiveMinimum: 0, maximum: 10, suffix: "µl/min", format: "standard-unit" },
};
const choice: Attributo = { ...base, id: 2, name: "pg", attributo_type_string: { type: "string", enum: ["a", "b"] } };
const integer: Attributo = { ...base, id: 3, name: "n", attributo_type_integer: { type: "integer" } };
const when: Attributo = { ...base, id: 4, name: "t", attributo_type_integer: { type: "integer", format: "date-time" } };
const chem: Attributo = { ...base, id: 5, name: "c", associated_table: "run", attributo_type_integer: { type: "integer", format: "chemical-id" } };
const yes: Attributo = { ...base, id: 6, name: "b", attributo_type_boolean: { type: "boolean" } };
const list: Attributo = { ...base, id: 7, name: "l", attributo_type_array: { type: "array", item_type: "number", minItems: 1, maxItems: 3 } };
const text: Attributo = { ...base, id: 8, name: "s", attributo_type_string: { type: "string" } };
const bools: Attributo = { ...base, id: 9, name: "bl", attributo_type_array: { type: "array", item_type: "bool" } };

describe("kinds and descriptions", () => {
  it("tells every kind apart", () => {
    expect([decimal, choice, integer, when, chem, yes, list, text].map(attributoKind)).toEqual([
      "decimal",
      "choice",
      "integer",
      "datetime",
      "chemical",
      "boolean",
      "list",
      "string",
    ]);
    expect(attributoKind({ attributo_type_string: { type: "string", enum: [] } })).toBe("choice");
  });
  it("describes types like the spreadsheet does", () => {
    expect(describeType(decimal)).toBe("µl/min ∈ (0.0,10.0]");
    expect(describeType(choice)).toBe("one of a, b");
    expect(describeType(list)).toBe("list of number (1–3 items)");
    expect(describeType({ attributo_type_array: { type: "array", item_type: "bool", minItems: 3, maxItems: 3 } })).toBe(
      "list of yes/no (exactly 3 items)",
    );
    expect(describeType({ attributo_type_number: { type: "number", minimum: 1, tolerance: 0.1, toleranceIsAbsolute: true } })).toBe(
      "number ∈ [1.0,∞) (absolute tolerance 0.1)",
    );
  });
});

describe("parseInput enforces what the server checks", () => {
  it("checks decimal ranges, inclusive and exclusive", () => {
    expect(parseInput(decimal, "0")).toEqual({ ok: false, error: "0 µl/min is outside the allowed range (0.0,10.0] µl/min" });
    expect(parseInput(decimal, "10")).toEqual({ ok: true, value: { attributo_id: 1, attributo_value_float: 10 } });
    expect(parseInput(decimal, "10.5").ok).toBe(false);
    expect(parseInput(decimal, " 2.5e0 ")).toEqual({ ok: true, value: { attributo_id: 1, attributo_value_float: 2.5 } });
    expect(parseInput(decimal, "abc")).toEqual({ ok: false, error: "enter a number" });
    expect(parseInput(decimal, "")).toEqual({ ok: true, value: null });
    expect(rangeError({ type: "number", minimum: 1, exclusiveMaximum: 3 }, 3)).toMatch(/outside/);
  });
  it("allows only the choices of a choice", () => {
    expect(parseInput(choice, "c")).toEqual({ ok: false, error: "choose one of a, b" });
    expect(parseInput(choice, "a")).toEqual({ ok: true, value: { attributo_id: 2, attributo_value_str: "a" } });
  });
  it("wants whole numbers for integers", () => {
    expect(parseInput(integer, "1.5").ok).toBe(false);
    expect(parseInput(integer, "-12")).toEqual({ ok: true, value: { attributo_id: 3, attributo_value_int: -12 } });
    expect(parseInput(integer, "99999999999999999999").ok).toBe(false);
  });
  it("sends date-times as local wall-clock milliseconds", () => {
    expect(parseInput(when, "2025-04-30T15:00")).toEqual({
      ok: true,
      value: { attributo_id: 4, attributo_value_datetime_local: Date.UTC(2025, 3, 30, 15, 0) },
    });
    expect(parseInput(when, "2025-02-31T10:00").ok).toBe(false);
  });
  it("only accepts known chemicals", () => {
    expect(parseInput(chem, "5", new Set([5]))).toEqual({ ok: true, value: { attributo_id: 5, attributo_value_chemical: 5 } });
    expect(parseInput(chem, "6", new Set([5])).ok).toBe(false);
  });
  it("reads yes/no", () => {
    expect(parseInput(yes, "true")).toEqual({ ok: true, value: { attributo_id: 6, attributo_value_bool: true } });
    expect(parseInput(yes, "no")).toEqual({ ok: true, value: { attributo_id: 6, attributo_value_bool: false } });
    expect(parseInput(yes, "maybe").ok).toBe(false);
  });
  it("checks list lengths and item types", () => {
    expect(parseInput(list, "1\n2.5\n")).toEqual({ ok: true, value: { attributo_id: 7, attributo_value_list_float: [1, 2.5] } });
    expect(parseInput(list, "1\n2\n3\n4")).toEqual({ ok: false, error: "enter at most 3 items" });
    expect(parseInput(list, "1\nx")).toEqual({ ok: false, error: "item 2 (“x”) is not a number" });
    expect(parseInput(list, "")).toEqual({ ok: true, value: null });
    expect(parseInput(bools, "yes\nfalse")).toEqual({ ok: true, value: { attributo_id: 9, attributo_value_list_bool: [true, false] } });
  });
  it("keeps text as typed", () => {
    expect(parseInput(text, "  4/mmm ")).toEqual({ ok: true, value: { attributo_id: 8, attributo_value_str: "  4/mmm " } });
    expect(parseInput(text, "")).toEqual({ ok: true, value: null });
  });
  it("collects all errors of a form at once", () => {
    const r = parseForm([decimal, choice, integer], { 1: "11", 2: "a", 3: "x" });
    expect(Object.keys(r.errors).map(Number)).toEqual([1, 3]);
    expect(r.values).toEqual([{ attributo_id: 2, attributo_value_str: "a" }]);
  });
});

describe("values to text and back", () => {
  const chemicals = new Map([[5, "Lysozyme"]]);
  it("formats values of every kind", () => {
    expect(formatValue(decimal, { attributo_id: 1, attributo_value_float: 2.5 }, chemicals)).toBe("2.5 µl/min");
    expect(formatValue(chem, { attributo_id: 5, attributo_value_chemical: 5 }, chemicals)).toBe("Lysozyme");
    expect(formatValue(chem, { attributo_id: 5, attributo_value_chemical: 9 }, chemicals)).toBe("chemical #9");
    expect(formatValue(yes, { attributo_id: 6, attributo_value_bool: false }, chemicals)).toBe("no");
    expect(formatValue(when, { attributo_id: 4, attributo_value_datetime: 0, attributo_value_datetime_local: 7200000 }, chemicals)).toBe(
      "1970-01-01 02:00",
    );
    expect(formatValue(list, { attributo_id: 7, attributo_value_list_float: [1, 0.5] }, chemicals)).toBe("1, 0.5");
    expect(formatValue(text, undefined, chemicals)).toBe("");
  });
  it("round-trips form text", () => {
    for (const [a, t] of [
      [decimal, "2.5"],
      [choice, "b"],
      [when, "2025-04-30T15:00"],
      [yes, "false"],
      [list, "1\n2"],
    ] as const) {
      const r = parseInput(a, t);
      expect(r.ok).toBe(true);
      if (r.ok) expect(valueToInput(a, r.value!)).toBe(t);
    }
  });
});
