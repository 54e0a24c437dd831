import { describe, expect, it } from "vitest";
import { filterErrorPosition, isFilterError } from "./filter";

describe("filterErrorPosition", () => {
  it("points at the token the server names", () => {
    const text = 'id > "3"';
    const p = filterErrorPosition(text, 'error in filter string: "id" is a number, ">" needs a number (at character 6: "3")');
    expect(p).toEqual({ start: 5, end: 8, message: '"id" is a number, ">" needs a number' });
    expect(text.slice(p.start, p.end)).toBe('"3"');
  });
  it("counts characters, not bytes or UTF-16 units", () => {
    const text = 'sample == "Lysozym€" and flwo > 1';
    const p = filterErrorPosition(text, 'error in filter string: attributo "flwo" not defined, maybe you meant "flow"? (at character 26: flwo)');
    expect(text.slice(p.start, p.end)).toBe("flwo");
    const emoji = "😀 == 1";
    const q = filterErrorPosition(emoji, "error in filter string: x (at character 3: ==)");
    expect(emoji.slice(q.start, q.end)).toBe("==");
  });
  it("marks one character when the printed token differs from the text", () => {
    const p = filterErrorPosition("a\tb", "error in filter string: control character (at character 2: \\x09)");
    expect(p).toEqual({ start: 1, end: 2, message: "control character" });
  });
  it("places errors at the end after the last non-space", () => {
    const p = filterErrorPosition("(id > 3  ", "error in filter string: missing ) (at the end)");
    expect(p).toEqual({ start: 7, end: 7, message: "missing )" });
  });
  it("keeps messages without a position whole", () => {
    expect(filterErrorPosition("x", "error in filter string: odd")).toEqual({ start: 0, end: 0, message: "odd" });
  });
  it("tells filter errors from other 400s", () => {
    expect(isFilterError("error in filter string: x")).toBe(true);
    expect(isFilterError("date “x” is not of the form YYYY-MM-DD")).toBe(false);
    expect(isFilterError(null)).toBe(false);
  });
});
