import { describe, expect, it } from "vitest";
import type { AttributoTypeFields } from "../api/types";
import { buildType, emptyTypeDraft, typeDraftOf } from "./typeDraft";

describe("the type editor", () => {
  it("builds every kind", () => {
    const kinds = ["string", "integer", "datetime", "chemical", "boolean"] as const;
    expect(kinds.map((k) => buildType(emptyTypeDraft(k)))).toEqual([
      { ok: true, fields: { attributo_type_string: { type: "string" } } },
      { ok: true, fields: { attributo_type_integer: { type: "integer" } } },
      { ok: true, fields: { attributo_type_integer: { type: "integer", format: "date-time" } } },
      { ok: true, fields: { attributo_type_integer: { type: "integer", format: "chemical-id" } } },
      { ok: true, fields: { attributo_type_boolean: { type: "boolean" } } },
    ]);
  });
  it("builds choices and refuses empty or repeated ones", () => {
    expect(buildType({ ...emptyTypeDraft("choice"), choices: "a\n b \n\n" })).toEqual({
      ok: true,
      fields: { attributo_type_string: { type: "string", enum: ["a", "b"] } },
    });
    expect(buildType({ ...emptyTypeDraft("choice"), choices: " \n" }).ok).toBe(false);
    expect(buildType({ ...emptyTypeDraft("choice"), choices: "a\na" }).ok).toBe(false);
  });
  it("builds decimal ranges with exclusive bounds, units and tolerance", () => {
    const r = buildType({ ...emptyTypeDraft("decimal"), min: "0", minExclusive: true, max: "10", suffix: "mm", standardUnit: true, tolerance: "0.1" });
    expect(r).toEqual({
      ok: true,
      fields: {
        attributo_type_number: {
          type: "number",
          minimum: null,
          exclusiveMinimum: 0,
          maximum: 10,
          exclusiveMaximum: null,
          suffix: "mm",
          format: "standard-unit",
          tolerance: 0.1,
          toleranceIsAbsolute: false,
        },
      },
    });
  });
  it("refuses impossible decimal types", () => {
    expect(buildType({ ...emptyTypeDraft("decimal"), min: "5", max: "1" })).toEqual({
      ok: false,
      error: "the range is empty: the lower bound must be below the upper bound",
    });
    expect(buildType({ ...emptyTypeDraft("decimal"), min: "1", max: "1", maxExclusive: true }).ok).toBe(false);
    expect(buildType({ ...emptyTypeDraft("decimal"), min: "x" }).ok).toBe(false);
    expect(buildType({ ...emptyTypeDraft("decimal"), standardUnit: true }).ok).toBe(false);
    expect(buildType({ ...emptyTypeDraft("decimal"), tolerance: "-1" }).ok).toBe(false);
  });
  it("builds lists with item counts", () => {
    expect(buildType({ ...emptyTypeDraft("list"), itemType: "bool", minItems: "1", maxItems: "4" })).toEqual({
      ok: true,
      fields: { attributo_type_array: { type: "array", item_type: "bool", minItems: 1, maxItems: 4 } },
    });
    expect(buildType({ ...emptyTypeDraft("list"), minItems: "3", maxItems: "2" }).ok).toBe(false);
    expect(buildType({ ...emptyTypeDraft("list"), minItems: "-1" }).ok).toBe(false);
  });
  it("reads server types back into the editor unchanged", () => {
    const types: AttributoTypeFields[] = [
      { attributo_type_number: { type: "number", exclusiveMinimum: 0, maximum: 10, suffix: "mm", format: "standard-unit", tolerance: 0.1 } },
      { attributo_type_string: { type: "string", enum: ["x", "y"] } },
      { attributo_type_array: { type: "array", item_type: "string", minItems: 2 } },
      { attributo_type_integer: { type: "integer", format: "chemical-id" } },
    ];
    for (const t of types) {
      const built = buildType(typeDraftOf(t));
      expect(built.ok).toBe(true);
      if (built.ok) expect(typeDraftOf(built.fields)).toEqual(typeDraftOf(t));
    }
  });
});
