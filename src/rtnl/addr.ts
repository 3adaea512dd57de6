import type { Executor, RtnlContext } from "./context.js";

// Placeholder so the Rtnl handle compiles while the addr verbs are being written.
export class AddrApi {
  constructor(protected readonly ctx: RtnlContext, protected readonly exec: Executor) {}
}
