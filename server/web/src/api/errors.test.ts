import { describe, expect, it } from "vitest";
import { ApiError, attributoIdOfError, describeLocation, errorMessage, fieldErrors } from "./errors";

describe("errorMessage", () => {
  it("shows a 400's detail string as it is", () => {
    expect(errorMessage(new ApiError(400, { detail: "Cannot create run, no experiment type set!" }))).toBe(
      "Cannot create run, no experiment type set!",
    );
  });
  it("lists a 422's validation errors with their fields", () => {
    const err = new ApiError(422, {
      detail: [
        { type: "missing", loc: ["body", "title"], msg: "Field required", input: {} },
        { type: "int_parsing", loc: ["path", "beamtimeId"], msg: "Input should be a valid integer", input: "abc" },
        { type: "string_too_long", loc: ["body", "attributi", 0, "attributo_value_str"], msg: "String should have at most 255 characters" },
      ],
    });
    expect(errorMessage(err)).toBe(
      "The server refused the input: title: Field required; beamtimeId: Input should be a valid integer; " +
        "attributi → 0 → attributo_value_str: String should have at most 255 characters",
    );
  });
  it("words 404 with and without a specific detail", () => {
    expect(errorMessage(new ApiError(404, { detail: "file with id 7 not found" }))).toBe("Not found: file with id 7 not found");
    expect(errorMessage(new ApiError(404, { detail: "Not Found" }))).toMatch(/^Not found: the item does not exist/);
  });
  it("explains 413 without the server's wording", () => {
    expect(errorMessage(new ApiError(413, { detail: "Request body too large" }))).toMatch(/^Too large/);
  });
  it("gives the request id of server failures", () => {
    expect(errorMessage(new ApiError(500, { detail: "Internal Server Error" }, "42"))).toBe(
      "The server failed to answer (HTTP 500) (request id 42).",
    );
    expect(errorMessage(new ApiError(502, "<html>bad gateway</html>"))).toBe("The server failed to answer (HTTP 502).");
  });
  it("tells network failures and plain errors apart", () => {
    expect(errorMessage(new TypeError("Failed to fetch"))).toMatch(/^Cannot reach the server/);
    expect(errorMessage(new Error("boom"))).toBe("boom");
    expect(errorMessage("odd")).toBe("odd");
  });
  it("copes with bodies that are not the expected shape", () => {
    expect(errorMessage(new ApiError(400, null))).toBe("The server refused the request.");
    expect(errorMessage(new ApiError(422, { detail: "plain text" }))).toBe("plain text");
    expect(errorMessage(new ApiError(422, { detail: [1, 2] }))).toBe("The server refused the request as invalid.");
  });
});

describe("field and attributo errors", () => {
  it("picks the 422 messages of one body field", () => {
    const err = new ApiError(422, {
      detail: [
        { type: "string_too_long", loc: ["body", "name"], msg: "too long" },
        { type: "missing", loc: ["body", "title"], msg: "Field required" },
      ],
    });
    expect(fieldErrors(err, "name")).toEqual(["too long"]);
    expect(fieldErrors(err, "other")).toEqual([]);
    expect(fieldErrors(new ApiError(400, { detail: "x" }), "name")).toEqual([]);
  });
  it("finds the attributo a validation message is about", () => {
    const err = new ApiError(400, { detail: "error validating attributi: attributo 12: out of range; range is (0.0,10.0), value is 11.0" });
    expect(attributoIdOfError(err)).toBe(12);
    expect(attributoIdOfError(new ApiError(400, { detail: "attributo with ID 99999 not found in list of run attributi" }))).toBe(99999);
    expect(attributoIdOfError(new ApiError(400, { detail: "something else" }))).toBeNull();
    expect(attributoIdOfError(new Error("attributo 3: x"))).toBeNull();
  });
  it("drops the body/path prefix of locations", () => {
    expect(describeLocation(["body", "a", 1])).toBe("a → 1");
    expect(describeLocation(["body"])).toBe("body");
  });
});
