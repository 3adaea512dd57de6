import type { Executor, RtnlContext } from "./context.js";

// Placeholder so the Rtnl handle compiles while the neigh verbs are being written.
export class NeighApi {
  constructor(protected readonly ctx: RtnlContext, protected readonly exec: Executor) {}
}
