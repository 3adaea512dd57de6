import type { Executor, RtnlContext } from "./context.js";

// Placeholder so the Rtnl handle compiles while the rule verbs are being written.
export class RuleApi {
  constructor(protected readonly ctx: RtnlContext, protected readonly exec: Executor) {}
}
