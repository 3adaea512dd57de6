import type { Executor, RtnlContext } from "../context.js";

// Placeholder so the Rtnl handle compiles while the link verbs are being written.
export class LinkApi {
  constructor(protected readonly ctx: RtnlContext, protected readonly exec: Executor) {}
}
