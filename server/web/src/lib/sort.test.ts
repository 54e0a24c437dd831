import { describe, expect, it } from "vitest";
import type { Attributo, Run } from "../api/types";
import { nextSort, sortRuns, type SortContext } from "./sort";

const emptyFom = { hit_rate: 0, indexing_rate: 0, indexed_frames: 0, align_detector_groups: [] };
const run = (id: number, started: number, values: Run["attributi"] = [], stopped?: number): Run => ({
  id,
  external_id: id,
  attributi: values,
  started,
  started_local: started,
  stopped,
  stopped_local: stopped,
  files: [],
  summary: emptyFom,
  experiment_type_id: 1,
});
const flow: Attributo = { id: 10, name: "flow", description: "", group: "manual", associated_table: "run", attributo_type_number: { type: "number" } };
const name: Attributo = { id: 11, name: "sample", description: "", group: "manual", associated_table: "run", attributo_type_string: { type: "string" } };
const ctx: SortContext = { attributi: new Map([[10, flow], [11, name]]), chemicals: new Map(), experimentTypes: new Map([[1, "SFX"]]), now: 1000 };

describe("sorting runs", () => {
  const runs = [
    run(3, 30, [{ attributo_id: 10, attributo_value_float: 2 }, { attributo_id: 11, attributo_value_str: "run10" }]),
    run(2, 20, [{ attributo_id: 11, attributo_value_str: "run9" }]),
    run(1, 10, [{ attributo_id: 10, attributo_value_float: 0.5 }], 15),
  ];
  it("sorts numbers numerically with absent values last both ways", () => {
    expect(sortRuns(runs, { key: "a:10", dir: "asc" }, ctx).map((r) => r.id)).toEqual([1, 3, 2]);
    expect(sortRuns(runs, { key: "a:10", dir: "desc" }, ctx).map((r) => r.id)).toEqual([3, 1, 2]);
  });
  it("sorts text naturally (run9 before run10)", () => {
    expect(sortRuns(runs, { key: "a:11", dir: "asc" }, ctx).map((r) => r.id)).toEqual([2, 3, 1]);
  });
  it("sorts built-in columns", () => {
    expect(sortRuns(runs, { key: "started", dir: "asc" }, ctx).map((r) => r.id)).toEqual([1, 2, 3]);
    expect(sortRuns(runs, { key: "stopped", dir: "asc" }, ctx).map((r) => r.id)).toEqual([1, 3, 2]);
    expect(sortRuns(runs, { key: "duration", dir: "desc" }, ctx).map((r) => r.id)).toEqual([2, 3, 1]);
  });
  it("flips direction on the same column and starts ascending on another", () => {
    expect(nextSort(null, "id")).toEqual({ key: "id", dir: "asc" });
    expect(nextSort({ key: "id", dir: "asc" }, "id")).toEqual({ key: "id", dir: "desc" });
    expect(nextSort({ key: "id", dir: "desc" }, "started")).toEqual({ key: "started", dir: "asc" });
  });
});
