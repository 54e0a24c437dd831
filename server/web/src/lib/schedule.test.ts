import { describe, expect, it } from "vitest";
import { scheduleProblems, shiftProblem } from "./schedule";

const row = (date: string, shift: string) => ({ users: "", date, shift, comment: "", td_support: "", chemicals: [] });

describe("schedule checks", () => {
  it("accepts shifts the server parses", () => {
    expect(shiftProblem("08:00-16:00")).toBeNull();
    expect(shiftProblem("8:00-16:00")).toBeNull();
    expect(shiftProblem("22:00-06:00")).toBeNull();
  });
  it("refuses malformed shifts and dates, listing every row", () => {
    expect(shiftProblem("10:00")).toMatch(/not a shift/);
    expect(shiftProblem("10:00-25:00")).toMatch(/not a shift/);
    expect(scheduleProblems([row("2025-04-30", "10:00-11:00"), row("", "10:00"), row("2025-04-31x", "1-2")])).toEqual([
      "Shift 2: enter a date.",
      "Shift 2: “10:00” is not a shift like 08:00-16:00.",
      "Shift 3: enter a date.",
      "Shift 3: “1-2” is not a shift like 08:00-16:00.",
    ]);
  });
});
