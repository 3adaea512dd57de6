// Everything nlkit-cni takes from the rest of nlkit: the public API, plus flock from the FFI layer.
// The library bundle (dist/bundle/cni.js) maps "../index.js" to nlkit's own bundle, so that
// `nlkit` and `nlkit/cni` share one copy of the engine.
export {
  Rtnl, Nft, Conntrack, nftExpr, sysctl, parseIp, sameExpressions,
  NetlinkError, RulesetChangedError, DumpInterruptedError,
  attrSet, encodeAttrs, struct, encodeStruct,
} from "../index.js";
export type { Link, Addr, Route, Expr, NftRule, NftRuleset, NetnsRef, Transaction, RouteSpec } from "../index.js";
export { flock, LOCK_EX, LOCK_NB, LOCK_UN } from "../syscalls/flock.js";
