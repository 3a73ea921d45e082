import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["*.test.ts"],
    // Starting containers takes longer than vitest's 5 s default.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
