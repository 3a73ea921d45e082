import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { formatGoDuration, parseDuration } from "../../src/spec/units.js";

describe("formatGoDuration (Go's time.Duration.String)", () => {
  test("whole and fractional seconds, minutes and hours", () => {
    const cases: [string, string][] = [
      ["0s", "0s"],
      ["90s", "1m30s"],
      ["1h", "1h0m0s"],
      ["2m", "2m0s"],
      ["1.5s", "1.5s"],
      ["1h2m3.25s", "1h2m3.25s"],
      ["30", "30s"],
      ["-1.5h", "-1h30m0s"],
    ];
    for (const [input, want] of cases) assert.equal(formatGoDuration(parseDuration(input)), want, input);
  });

  test("below a second: ms, µs, ns with fractions", () => {
    assert.equal(formatGoDuration(parseDuration("500ms")), "500ms");
    assert.equal(formatGoDuration(parseDuration("1.5ms")), "1.5ms");
    assert.equal(formatGoDuration(parseDuration("10us")), "10µs");
    assert.equal(formatGoDuration(parseDuration("999ns")), "999ns");
  });
});
