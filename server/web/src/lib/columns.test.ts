import { describe, expect, it } from "vitest";
import type { Attributo } from "../api/types";
import { defaultColumns, loadColumns, moveColumn, saveColumns, storageKey, toggleColumn, type KeyValueStore } from "./columns";

function store(initial: Record<string, string> = {}): KeyValueStore & { data: Map<string, string> } {
  const data = new Map(Object.entries(initial));
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}

const attr = (id: number, name: string, group = "manual"): Attributo => ({
  id,
  name,
  description: "",
  group,
  associated_table: "run",
  attributo_type_string: { type: "string" },
});

describe("column state", () => {
  const attributi = [attr(1, "zeta"), attr(2, "alpha", "automatic"), attr(3, "beta")];

  it("defaults to the built-ins and manual attributi first", () => {
    expect(defaultColumns(attributi)).toEqual(["id", "started", "stopped", "experiment_type", "a:3", "a:1", "a:2"]);
  });
  it("remembers the choice per beamtime", () => {
    const s = store();
    saveColumns(s, 7, ["id", "a:2"]);
    expect(loadColumns(s, 7, attributi)).toEqual(["id", "a:2"]);
    expect(loadColumns(s, 8, attributi)).toEqual(defaultColumns(attributi));
    expect(s.data.has(storageKey(7))).toBe(true);
  });
  it("forgets deleted attributi, duplicates and garbage", () => {
    const s = store({ [storageKey(1)]: JSON.stringify(["a:99", "id", "id", "a:1", 5, "nonsense", "duration"]) });
    expect(loadColumns(s, 1, attributi)).toEqual(["id", "a:1", "duration"]);
    expect(loadColumns(store({ [storageKey(1)]: "{not json" }), 1, attributi)).toEqual(defaultColumns(attributi));
    expect(loadColumns(store({ [storageKey(1)]: '{"a":1}' }), 1, attributi)).toEqual(defaultColumns(attributi));
  });
  it("survives storage that refuses to store", () => {
    const full: KeyValueStore = {
      getItem: () => null,
      setItem: () => {
        throw new Error("QuotaExceededError");
      },
    };
    expect(() => saveColumns(full, 1, ["id"])).not.toThrow();
  });
  it("toggles and moves columns", () => {
    expect(toggleColumn(["id", "a:1"], "a:1")).toEqual(["id"]);
    expect(toggleColumn(["id"], "a:1")).toEqual(["id", "a:1"]);
    expect(moveColumn(["id", "a:1", "a:2"], "a:2", -1)).toEqual(["id", "a:2", "a:1"]);
    expect(moveColumn(["id", "a:1"], "id", -1)).toEqual(["id", "a:1"]);
    expect(moveColumn(["id", "a:1"], "a:1", 1)).toEqual(["id", "a:1"]);
  });
});
