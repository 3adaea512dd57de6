// The command line's executable entry (dist/bundle/cli.js): `node dist/bundle/cli.js ARGS` runs the
// command, and importing it gives main. A module of its own, because in the split bundle main.ts
// lands in a shared chunk whose import.meta.url is not the file node was started with.
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { main } from "./main.js";

export { main };

function startedWithThisFile(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (startedWithThisFile()) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
