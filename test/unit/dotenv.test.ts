import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { parseDotenv } from "../../src/spec/dotenv.js";
import { readEnvFiles } from "../../src/spec/environment.js";
import { ConfigError } from "../../src/errors.js";

const none = () => undefined;
const p = (text: string, lookup: (n: string) => string | undefined = none) => parseDotenv(text, ".env", lookup);

function fails(text: string, line: number, re: RegExp) {
  assert.throws(
    () => p(text),
    (e: unknown) => {
      if (!(e instanceof ConfigError) || e.code !== "CONFIG_ENV_FILE") return false;
      const issue = e.issues[0]!;
      assert.equal(issue.location!.file, ".env");
      assert.equal(issue.location!.line, line);
      assert.match(issue.message, re);
      return true;
    },
  );
}

describe("parseDotenv: lines", () => {
  test("comments, blank lines, export prefix, spaces around =", () => {
    const r = p(`# a comment
   # indented comment

export A=1
export\tB=2
  C = 3
D: 4
exportE=5
E.F_G-h=6
`);
    assert.deepEqual(r, { A: "1", B: "2", C: "3", D: "4", exportE: "5", "E.F_G-h": "6" });
  });

  test("KEY alone is inherited from the lookup, or left out", () => {
    const r = p("SET\nUNSET\nX=1\n", (n) => (n === "SET" ? "from-os" : undefined));
    assert.deepEqual(r, { SET: "from-os", X: "1" });
  });

  test("empty values", () => {
    assert.deepEqual(p("A=\nB=''\nC=\"\"\n"), { A: "", B: "", C: "" });
  });

  test("windows line endings", () => {
    assert.deepEqual(p("A=1\r\nB='x'\r\n"), { A: "1", B: "x" });
  });
});

describe("parseDotenv: unquoted values", () => {
  test("trimmed, inline comment needs a preceding space", () => {
    const r = p("A=b #c\nB=b#c\nC=  spaced out   \nD=x #\nE=a=b=c\nF=1:2\n");
    assert.deepEqual(r, { A: "b", B: "b#c", C: "spaced out", D: "x", E: "a=b=c", F: "1:2" });
  });

  test("backslashes are literal", () => {
    assert.equal(p("A=a\\tb\n").A, "a\\tb");
  });

  test("interpolated from lookup first, then earlier variables", () => {
    const r = p("A=one\nB=$A-${A}\nC=${MISSING:-def}\nD=${HOME}\nE=$$A\n", (n) => (n === "HOME" ? "/root" : undefined));
    assert.deepEqual(r, { A: "one", B: "one-one", C: "def", D: "/root", E: "$A" });
    const r2 = p("A=file\nB=$A\n", (n) => (n === "A" ? "os" : undefined));
    assert.equal(r2.B, "os");
  });
});

describe("parseDotenv: quoted values", () => {
  test("single quotes are literal", () => {
    const r = p("A='$HOME \\n # not a comment'\nB='a\"b'\n", () => "x");
    assert.deepEqual(r, { A: "$HOME \\n # not a comment", B: 'a"b' });
  });

  test("double quotes: escapes and interpolation", () => {
    const r = p(`V=val
A="line1\\nline2\\ttab\\r"
B="quote \\" and backslash \\\\"
C="dollar \\$V and $V and \${V}"
D="keep \\x unknown"
E="bar#baz" # comment
F="octal \\0123"
`);
    assert.equal(r.A, "line1\nline2\ttab\r");
    assert.equal(r.B, 'quote " and backslash \\');
    assert.equal(r.C, "dollar $V and val and val");
    assert.equal(r.D, "keep \\x unknown");
    assert.equal(r.E, "bar#baz");
    assert.equal(r.F, "octal S");
  });

  test("multi-line double-quoted values, line numbers keep counting", () => {
    const r = p('A="first\nsecond\nthird"\nB=2\n');
    assert.deepEqual(r, { A: "first\nsecond\nthird", B: "2" });
    fails('A="first\nsecond"\nB C=1\n', 3, /cannot contain spaces/);
  });
});

describe("parseDotenv: errors", () => {
  test("unterminated quotes", () => {
    fails('OK=1\nKEY="value', 2, /unterminated quoted value for KEY/);
    fails("KEY='value", 1, /unterminated/);
    fails('KEY="value\\"', 1, /unterminated/);
  });

  test("invalid names and lines", () => {
    fails("lol$wut", 1, /unexpected character "\$"/);
    fails("\n\nFOO BAR=1", 3, /cannot contain spaces/);
    fails("=value", 1, /expected a variable name/);
    // compose-go reads on after a closing quote: `y` is a second statement (inherited, unset here)
    assert.deepEqual({ ...p('A="x"y') }, { A: "x" });
  });

  test("interpolation errors are env-file errors with a location", () => {
    fails("\nA=${NEEDED:?please set it}\n", 2, /required variable NEEDED is missing a value: please set it/);
  });

  test("column is reported", () => {
    try {
      p("GOOD=1\n  BAD KEY=2\n");
      assert.fail("should throw");
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      assert.deepEqual(e.issues[0]!.location, { file: ".env", line: 2, col: 3 });
    }
  });
});

describe("parseDotenv: compose-go's reading (issue 14 theme 6)", () => {
  const none = (): string | undefined => undefined;
  const cases: Array<[string, string, Record<string, string>]> = [
    ["an escaped single quote inside single quotes", "A='Let\\'s go!'\n", { A: "Let's go!" }],
    ["other backslashes in single quotes stay", "A='a\\nb\\\\c'\n", { A: "a\\nb\\\\c" }],
    ["an escaped double quote inside double quotes", 'A="say \\"hi\\""\n', { A: 'say "hi"' }],
    ["keys with brackets", "a[1]=z\nb[k]=y\n", { "a[1]": "z", "b[k]": "y" }],
    ["keys with dots and dashes", "a.b-c=1\n", { "a.b-c": "1" }],
    ["a statement right after a closing quote", 'A="x" B=y\n', { A: "x", B: "y" }],
    ["a comment right after a closing quote", "A='x'# note\nB=2\n", { A: "x", B: "2" }],
  ];
  for (const [name, text, want] of cases) {
    test(name, () => assert.deepEqual({ ...parseDotenv(text, "t.env", none) }, want));
  }
  test("a later --env-file sees an earlier one's values", () => {
    const files: Record<string, string> = { "/a.env": "X=fromA\n", "/b.env": "B=${X}-b\nC=\"${X:-no}\"\n" };
    const fs = { isFile: (p: string) => p in files, readFile: (p: string) => files[p]! };
    assert.deepEqual(readEnvFiles(["/a.env", "/b.env"], {}, fs), { X: "fromA", B: "fromA-b", C: "fromA" });
  });
  test("a key with a space inside is still refused", () => {
    assert.throws(() => parseDotenv("MY KEY=1\n", "t.env", none), /space/);
  });
});
