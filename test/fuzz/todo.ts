// TODO(issue 22): open findings in code the fuzz harness's author could not change. `--todo`
// (what the bounded run in npm test passes) leaves them out so that the suite stays green; a
// plain `npm run fuzz` always includes them. Remove an entry once its owner has fixed it and
// `npm run fuzz -- --count 1000000` reports zeros without it.

/** Target names or prefixes left out by `--todo` (none open: nft's rewrite made its decoders total). */
export const TODO_EXCLUDED: readonly string[] = [];

/** Targets whose results may still hold BigInt under `--todo` (none open; see RAW_U64_TARGETS in scripts/fuzz.ts). */
export const TODO_BIGINT_JSON: readonly string[] = [];
