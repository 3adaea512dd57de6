import type { Executor, RtnlContext } from "./context.js";

// Placeholder so the Rtnl handle compiles while the route verbs are being written.
export class RouteApi {
  constructor(protected readonly ctx: RtnlContext, protected readonly exec: Executor) {}
}
