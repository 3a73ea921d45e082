/** compareText (src/runtime/text-order.ts) gives localeCompare's answer, skipping ICU only where that is provably the same. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { compareText } from "../../src/runtime/text-order.js";

const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);

test("the same sign as localeCompare on random names of letters, digits, - and . (the direct path)", () => {
  const chars = "-.0123456789abcdefghijklmnopqrstuvwxyz";
  let seed = 13;
  const next = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const word = (): string => Array.from({ length: next(7) }, () => chars[next(chars.length)]).join("");
  for (let i = 0; i < 50_000; i++) {
    const a = word();
    const b = next(4) === 0 ? a + word() : word();
    assert.equal(sign(compareText(a, b)), sign(a.localeCompare(b)), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    assert.equal(sign(compareText(b, a)), sign(b.localeCompare(a)));
  }
});

test("other strings go to localeCompare (whose order is not the code units')", () => {
  const pairs: [string, string][] = [
    ["B", "a"], // code units: "B" < "a"; localeCompare: a < B
    ["a_b", "a1"], // "_" after the digits in ASCII, before them in ICU
    ["::", "0.0.0.0"], // IPv6 and IPv4 host addresses
    ["web", "Web"],
    ["ä", "b"],
  ];
  for (const [a, b] of pairs) assert.equal(sign(compareText(a, b)), sign(a.localeCompare(b)), `${a} vs ${b}`);
  assert.equal(sign(compareText("B", "a")), 1);
  assert.equal(compareText("db", "db"), 0);
  assert.equal(sign(compareText("svc10", "svc9")), -1);
  assert.equal(sign(compareText("web", "web-2")), -1);
});
