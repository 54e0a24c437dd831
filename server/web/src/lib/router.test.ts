import { describe, expect, it } from "vitest";
import { beamtimePath, parseRoute } from "./router";

describe("parseRoute", () => {
  it("maps the root and the beamtime list", () => {
    expect(parseRoute("/")).toEqual({ page: "beamtimes" });
    expect(parseRoute("/beamtimes/")).toEqual({ page: "beamtimes" });
  });
  it("maps beamtime tabs, defaulting to the overview", () => {
    expect(parseRoute("/beamtimes/12")).toEqual({ page: "beamtime", beamtimeId: 12, tab: "overview" });
    expect(parseRoute("/beamtimes/12/runs")).toEqual({ page: "beamtime", beamtimeId: 12, tab: "runs" });
    expect(parseRoute(beamtimePath(3, "data-sets"))).toEqual({ page: "beamtime", beamtimeId: 3, tab: "data-sets" });
  });
  it("refuses unknown paths", () => {
    expect(parseRoute("/beamtimes/12/nonsense")).toEqual({ page: "not-found" });
    expect(parseRoute("/beamtimes/x/runs")).toEqual({ page: "not-found" });
    expect(parseRoute("/etc/passwd")).toEqual({ page: "not-found" });
  });
});
