import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { parseTemplate, sprintf } from "../../src/cli/format/template.js";
import { tabwrite } from "../../src/cli/format/tabwriter.js";
import { renderFormat, templateText } from "../../src/cli/format/format.js";

const t = (src: string, data: unknown): string => parseTemplate(src).execute(data);

describe("Go template", () => {
  const row = { Name: "demo-web-1", State: "running", Ports: ["80/tcp", "443/tcp"], Labels: { a: "1", b: "2" }, ExitCode: 0, Health: "", N: 3 };

  test("fields, nested fields, dot, json", () => {
    assert.equal(t("{{.Name}} is {{.State}}", row), "demo-web-1 is running");
    assert.equal(t("{{.Labels.b}}", row), "2");
    assert.equal(t("{{json .Ports}}", row), '["80/tcp","443/tcp"]');
    assert.equal(t("{{ json . }}", { A: "<&>" }), '{"A":"<&>"}');
    assert.equal(t("{{.}}", "x"), "x");
    assert.equal(t("{{$.Name}}", row), "demo-web-1");
  });

  test("Docker CLI functions", () => {
    assert.equal(t('{{join .Ports ","}}', row), "80/tcp,443/tcp");
    assert.equal(t("{{lower .State}} {{upper .State}} {{title .State}}", row), "running RUNNING Running");
    assert.equal(t('{{index (split .Name "-") 1}}', row), "web");
    assert.equal(t("{{pad .Name 1 2}}|{{pad .Health 1 2}}|", row), " demo-web-1  ||");
    assert.equal(t("{{truncate .Name 4}}", row), "demo");
    assert.equal(t("{{.Name | upper}}", row), "DEMO-WEB-1");
    assert.equal(t('{{.State | printf "%-10s|"}}', row), "running   |");
  });

  test("printf, len, comparisons", () => {
    assert.equal(t('{{printf "%s=%d %q %5.2f%%" .Name .N .State 3.14159}}', row), 'demo-web-1=3 "running"  3.14%');
    assert.equal(t("{{len .Ports}} {{len .Name}}", row), "2 10");
    assert.equal(t('{{if eq .State "running"}}up{{else}}down{{end}}', row), "up");
    assert.equal(t('{{if eq .State "x" "running"}}any{{end}}', row), "any");
    assert.equal(t("{{if gt .N 2}}big{{end}}{{if lt .N 2}}small{{end}}", row), "big");
    assert.equal(sprintf("%05d|%x", 42, 255), "00042|ff");
  });

  test("if / else if / else, with, range, variables, trim markers, comments", () => {
    const tpl = '{{if eq .State "exited"}}E{{else if .Health}}H{{else}}R{{end}}';
    assert.equal(t(tpl, row), "R");
    assert.equal(t(tpl, { ...row, Health: "healthy" }), "H");
    assert.equal(t(tpl, { ...row, State: "exited" }), "E");
    assert.equal(t("{{range .Ports}}[{{.}}]{{end}}", row), "[80/tcp][443/tcp]");
    assert.equal(t("{{range $i, $p := .Ports}}{{$i}}={{$p}};{{end}}", row), "0=80/tcp;1=443/tcp;");
    assert.equal(t("{{range $k, $v := .Labels}}{{$k}}:{{$v}} {{end}}", row), "a:1 b:2 ");
    assert.equal(t("{{range .Missing}}x{{else}}none{{end}}", { Missing: [] }), "none");
    assert.equal(t("{{with .Labels}}{{.a}}{{end}}", row), "1");
    assert.equal(t("{{with .Health}}h{{else}}no health{{end}}", row), "no health");
    assert.equal(t("{{$n := .Name}}{{$n}}", row), "demo-web-1");
    assert.equal(t("a  {{- .N -}}  b {{/* note */}}", row), "a3b ");
    assert.equal(t('{{"}}"}}', row), "}}");
  });

  test("Go's printing of values", () => {
    assert.equal(t("{{.Ports}}", row), "[80/tcp 443/tcp]");
    assert.equal(t("{{.Labels}}", row), "map[a:1 b:2]");
    assert.equal(t("{{.ExitCode}} {{true}}", row), "0 true");
  });

  test("errors say what is wrong", () => {
    assert.throws(() => t("{{.Nope}}", row), /can't evaluate field Nope/);
    assert.throws(() => t("{{nope .Name}}", row), /function "nope" not defined/);
    assert.throws(() => parseTemplate("{{if .Name}}x"), /missing \{\{end\}\}/);
    assert.throws(() => parseTemplate("{{.Name"), /unclosed action/);
    assert.throws(() => parseTemplate("{{end}}"), /unexpected \{\{end\}\}/);
  });
});

describe("tabwriter (Docker's: minwidth 10, padding 3)", () => {
  test("tab-terminated cells are padded, the last cell is not", () => {
    assert.equal(tabwrite("A\tBB\tC\nlonger-name\tx\t\n"), "A             BB        C\nlonger-name   x         \n");
  });
  test("an empty last column keeps the padding before it (7 columns when split on 3+ spaces)", () => {
    const out = tabwrite("N\tI\tC\tS\tCR\tST\tP\nweb\timg\t\"sh\"\tweb\t1s\tUp 1 second\t\n");
    const row = out.split("\n")[1] ?? "";
    assert.equal(row.split(/\s{3,}/).length, 7);
  });
  test("columns are sized per block of lines that have them", () => {
    assert.equal(tabwrite("a\tb\nxx\nccccccccccccc\td\n"), "a         b\nxx\nccccccccccccc   d\n");
  });
});

describe("--format", () => {
  const rows = [{ Name: "web", Ports: "" }, { Name: "database", Ports: "5432/tcp" }];
  const opts = { defaultTable: "table {{.Name}}\t{{.Ports}}", headers: { Name: "NAME", Ports: "PORTS" }, context: (r: (typeof rows)[number]) => r };

  test("table / default / json / custom / table TEMPLATE", () => {
    const table = "NAME       PORTS\nweb        \ndatabase   5432/tcp\n";
    assert.equal(renderFormat(undefined, rows, opts), table);
    assert.equal(renderFormat("table", rows, opts), table);
    assert.equal(renderFormat("json", rows, opts), '{"Name":"web","Ports":""}\n{"Name":"database","Ports":"5432/tcp"}\n');
    assert.equal(renderFormat("{{.Name}}", rows, opts), "web\ndatabase\n");
    assert.equal(renderFormat("table {{.Name}}\\t{{upper .Name}}", rows, opts), "NAME       NAME\nweb        WEB\ndatabase   DATABASE\n");
    assert.equal(renderFormat('"{{ json . }}"', rows.slice(0, 1), opts), '"{"Name":"web","Ports":""}"\n');
  });
  test("template text: table prefix, spaces trimmed, \\t and \\n", () => {
    assert.deepEqual(templateText("table  {{.A}}\\t{{.B}} "), { table: true, text: "{{.A}}\t{{.B}}" });
    assert.deepEqual(templateText("{{.A}}\\n"), { table: false, text: "{{.A}}\n" });
  });
});
