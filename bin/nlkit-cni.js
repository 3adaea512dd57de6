#!/usr/bin/env node
// nlkit-cni: the executable's bundle, a small entry that answers VERSION by itself (a runtime runs
// it several times per pod) and loads the plugins for every other command; rebuilt first in a
// clone whose sources are newer (fresh-bundle.js), so no TypeScript loader is ever needed.
import { freshBundle } from "./fresh-bundle.js";

await import(await freshBundle("nlkit-cni", "cni-bin", "nlkit-cni.cjs"));
