// TODO(issue 22): open findings in code the fuzz harness's author could not change. `--todo`
// (what the bounded run in npm test passes) leaves them out so that the suite stays green; a
// plain `npm run fuzz` always includes them. Remove an entry once its owner has fixed it and
// `npm run fuzz -- --count 1000000` reports zeros without it.

/**
 * nft is being rewritten by another engineer: its decoders and renderer still throw RangeError
 * and TypeError on malformed messages (src/nft/render.ts, ruleset.ts, setelem.ts...), and their
 * results hold BigInt (handles, expiration, counters). The reproducers are in the report of the
 * fuzz run (`npm run fuzz -- --only nft.`).
 */
export const TODO_EXCLUDED: readonly string[] = ["nft."];

/**
 * Results that still carry raw BigInt from u64 attributes (JSON.stringify throws): FRA_TUN_ID in
 * rtnl rules (src/rtnl/rule.ts, Rule.tunId), and the nft tables seen through the generic
 * decoders. Issue 22 item 4 (JSON-safe results) decides numbers-or-toJSON for them. For these
 * targets only, the JSON check tolerates BigInt (everything else about serialising still counts).
 */
export const TODO_BIGINT_JSON: readonly string[] = ["codec.decodeMessage", "codec.decodeAttrs", "rtnl.decodeRule"];
