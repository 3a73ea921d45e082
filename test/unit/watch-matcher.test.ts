import { test, describe } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { contextIgnorePatterns, createMatcher, isNoise } from "../../src/runtime/watch/matcher.js";

const root = "/proj/site";
const at = (rel: string): string => path.join(root, rel);

describe("watch matcher", () => {
  test("editor and VCS noise is never matched", () => {
    for (const p of [".git/HEAD", "a/.git/config", "x.swp", "d/x.swx", "4913", "index.html~", ".#index.html", "#index.html#", "a.js___jb_tmp___", "a.js___jb_old___", ".a.txt.kate-swp", "foo-go-tmp-umask", ".x.swn", ".idea/workspace.xml"]) {
      assert.equal(isNoise(p), true, p);
    }
    for (const p of ["index.html", "git/x", "a#b", "4914", "sub/.gitignore", "idea/x", "kate-swp.txt"]) assert.equal(isNoise(p), false, p);
    const m = createMatcher({ path: root, action: "sync", target: "/www" });
    assert.equal(m.matches(at("index.html")), true);
    assert.equal(m.matches(at(".git/HEAD")), false);
    assert.equal(m.matches(at("index.html.swp")), false);
    assert.equal(m.prune(at(".git")), true);
  });

  test("paths outside the rule's path are not matched; container path is target + relative path", () => {
    const m = createMatcher({ path: root, action: "sync", target: "/www" });
    assert.equal(m.matches("/proj/other/a.html"), false);
    assert.equal(m.matches("/proj/site-2/a.html"), false);
    assert.equal(m.matches(root), false);
    assert.equal(m.containerPath(at("a/b.html")), "/www/a/b.html");
    assert.equal(m.prune("/proj"), false, "an ancestor of the root is walked");
    assert.equal(m.prune("/proj/other"), true);
  });

  test("the rule's ignore patterns use .dockerignore syntax relative to path", () => {
    const m = createMatcher({ path: root, action: "sync", target: "/www", ignore: ["node_modules/", "*.tmp", "**/*.log"] });
    assert.equal(m.matches(at("node_modules/x/index.js")), false);
    assert.equal(m.prune(at("node_modules")), true);
    assert.equal(m.matches(at("a.tmp")), false);
    assert.equal(m.matches(at("deep/a.tmp")), true, "*.tmp is anchored at the rule's path, like .dockerignore");
    assert.equal(m.matches(at("deep/er/a.log")), false);
    assert.equal(m.matches(at("index.html")), true);
  });

  test("an ignore with exceptions does not prune directories but still filters files", () => {
    const m = createMatcher({ path: root, action: "sync", target: "/www", ignore: ["gen", "!gen/keep.txt"] });
    assert.equal(m.prune(at("gen")), false);
    assert.equal(m.matches(at("gen/keep.txt")), true);
    assert.equal(m.matches(at("gen/drop.txt")), false);
  });

  test("include narrows to matching files and never prunes directories", () => {
    const m = createMatcher({ path: root, action: "sync", target: "/www", include: ["*.html", "pages/**/*.html"] });
    assert.equal(m.matches(at("index.html")), true);
    assert.equal(m.matches(at("style.css")), false);
    assert.equal(m.matches(at("pages/a/b.html")), true);
    assert.equal(m.matches(at("pages/a/b.css")), false);
    assert.equal(m.prune(at("pages")), false);
  });

  test("the build context's .dockerignore applies to files under the context", () => {
    const m = createMatcher(
      { path: "/proj/app/src", action: "rebuild" },
      { contextIgnore: { context: "/proj/app", patterns: ["src/generated", "**/*.bak"] } },
    );
    assert.equal(m.matches("/proj/app/src/generated/x.js"), false);
    assert.equal(m.prune("/proj/app/src/generated"), true);
    assert.equal(m.matches("/proj/app/src/a.bak"), false);
    assert.equal(m.matches("/proj/app/src/a.js"), true);
  });

  test("a rule on a single file matches only that file and maps it to target", () => {
    const m = createMatcher({ path: "/proj/config.json", action: "sync+restart", target: "/etc/app/config.json" }, { isFile: true });
    assert.equal(m.matches("/proj/config.json"), true);
    assert.equal(m.matches("/proj/config.json.bak"), false);
    assert.equal(m.containerPath("/proj/config.json"), "/etc/app/config.json");
    assert.equal(m.prune("/proj"), false);
    assert.equal(m.prune("/proj/other"), true);
  });

  test("contextIgnorePatterns prefers <Dockerfile>.dockerignore over .dockerignore", () => {
    const files: Record<string, string> = {
      "/c/.dockerignore": "# comment\nnode_modules\n\n*.log\n",
      "/c/docker/web.Dockerfile.dockerignore": "dist\n",
    };
    const read = (p: string): string | undefined => files[p];
    assert.deepEqual(contextIgnorePatterns("/c", undefined, read), ["node_modules", "*.log"]);
    assert.deepEqual(contextIgnorePatterns("/c", "docker/web.Dockerfile", read), ["dist"]);
    assert.deepEqual(contextIgnorePatterns("/none", undefined, read), []);
  });
});
