import { defineConfig } from "vitest/config";

// ffi-rs crashes when it is loaded only inside worker threads (see ../shared/notes/ffi-rs.md):
// every test file runs in a forked child process instead.
export default defineConfig({
  test: {
    pool: "forks",
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
