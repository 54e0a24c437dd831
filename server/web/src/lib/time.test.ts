import { describe, expect, it } from "vitest";
import { formatDateTime, formatDuration, fromDateTimeInput, liveImageAge, toDateTimeInput, utcDate } from "./time";

describe("local-encoded times", () => {
  it("are shown by their UTC reading", () => {
    // Europe/Berlin summer: 13:00Z is 15:00 local, encoded as 15:00 "UTC".
    expect(formatDateTime(1746025200000)).toBe("2025-04-30 15:00");
  });
  it("round-trip through datetime-local inputs", () => {
    expect(fromDateTimeInput("2025-04-30T15:00")).toBe(1746025200000);
    expect(toDateTimeInput(1746025200000)).toBe("2025-04-30T15:00");
    expect(fromDateTimeInput("2025-04-30T15:00:30")).toBe(1746025230000);
  });
  it("refuse what is not a date and time", () => {
    for (const bad of ["", "2025-04-30", "2025-13-01T00:00", "2025-02-30T00:00", "2025-04-30T24:00", "yesterday"]) {
      expect(fromDateTimeInput(bad)).toBeNull();
    }
  });
  it("use UTC dates for the server's date filter", () => {
    expect(utcDate(Date.UTC(2025, 0, 2, 23, 59))).toBe("2025-01-02");
  });
});

describe("durations and live-image age", () => {
  it("formats durations", () => {
    expect([0, 59_999, 60_000, 3_599_000, 3_600_000 + 5 * 60_000, 27 * 3_600_000].map(formatDuration)).toEqual([
      "0 s",
      "59 s",
      "1 min",
      "59 min",
      "1 h 5 min",
      "1 d 3 h",
    ]);
    expect(formatDuration(-5)).toBe("0 s");
  });
  it("calls an image stale after the threshold and says since when", () => {
    const modified = Date.UTC(2025, 3, 30, 12, 2);
    const local = modified + 2 * 3600_000;
    expect(liveImageAge(modified, local, modified + 10_000)).toEqual({ ageMs: 10_000, stale: false, staleSince: null });
    expect(liveImageAge(modified, local, modified + 45_000)).toEqual({ ageMs: 45_000, stale: true, staleSince: "14:02" });
    // A browser clock 40 s behind the server still sees the image as stale.
    expect(liveImageAge(modified, local, modified + 5_000, 40_000).stale).toBe(true);
    // A clock ahead of the image never gives negative ages.
    expect(liveImageAge(modified, local, modified - 3_000).ageMs).toBe(0);
  });
});
