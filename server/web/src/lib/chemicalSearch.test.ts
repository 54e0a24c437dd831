import { describe, expect, it } from "vitest";
import type { Beamtime, Chemical, ReadAllChemicals } from "../api/types";
import { searchChemicals } from "./chemicalSearch";

const chem = (id: number, name: string, beamtime_id: number): Chemical => ({
  id,
  name,
  beamtime_id,
  responsible_person: "",
  chemical_type: "crystal",
  attributi: [],
  files: [],
});
const bt = (id: number): Beamtime => ({
  id,
  external_id: `bt${id}`,
  proposal: "",
  beamline: "",
  title: "",
  comment: "",
  start: 0,
  start_local: 0,
  end: 0,
  end_local: 0,
  chemical_names: [],
  analysis_output_path: "",
});
const all: ReadAllChemicals = {
  chemicals: [chem(1, "Hen egg-white lysozyme", 1), chem(2, "Lysozyme", 1), chem(3, "Lysozyme", 2), chem(4, "Thaumatin", 1)],
  beamtimes: [bt(1), bt(2)],
  attributi_names: [],
};

describe("searchChemicals", () => {
  it("finds other beamtimes' chemicals by any case, prefix matches first", () => {
    const r = searchChemicals(all, 2, "lyso");
    expect(r.map((m) => m.chemical.id)).toEqual([2, 1]);
    expect(r[0].beamtime?.external_id).toBe("bt1");
  });
  it("matches all words anywhere and ignores an empty query", () => {
    expect(searchChemicals(all, 3, "white hen").map((m) => m.chemical.id)).toEqual([1]);
    expect(searchChemicals(all, 3, "  ")).toEqual([]);
    expect(searchChemicals(all, 3, "lyso", 1)).toHaveLength(1);
  });
});
