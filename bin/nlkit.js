#!/usr/bin/env node
// Runs the CLI bundle (rebuilt first in a clone whose sources are newer: fresh-bundle.js).
import { freshBundle } from "./fresh-bundle.js";

const { main } = await import(await freshBundle("nlkit", "cli.js"));
process.exitCode = await main(process.argv.slice(2));
