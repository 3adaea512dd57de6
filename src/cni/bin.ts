#!/usr/bin/env node
// Entry of the bundled executable (dist/bundle/cni-bin/nlkit-cni.cjs): runs main, exits with its status.
import * as fs from "node:fs";
import { main } from "./main.js";

// `install` links to this file when it is the bundle (CommonJS starts faster than ESM, and the
// links then skip the bin/ launcher); from the sources, to whatever was run.
const self = typeof __filename === "string" && __filename.endsWith(".cjs") ? __filename : fs.realpathSync(process.argv[1] ?? "nlkit-cni");
main(process.argv, process.env, self).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    // what the shell did not get to answer (stdin unreadable, the plugins failing to load): still
    // an error object on stdout, as a runtime expects
    const msg = e instanceof Error ? e.message : String(e);
    process.stdout.write(JSON.stringify({ cniVersion: "1.1.0", code: 999, msg, details: "" }, null, 4) + "\n");
    process.exitCode = 1;
  },
);
