import type { Request } from "../netlink/socket.js";
import type { Executor } from "./context.js";

/**
 * Runs a change request built by `make`. Input errors become a rejected promise; otherwise the
 * executor's own promise is returned untouched: inside a batch that promise is already marked
 * handled, so callers who read only the batch outcome see no unhandled rejections.
 */
export function change(exec: Executor, make: () => Request): Promise<void> {
  let req: Request;
  try {
    req = make();
  } catch (e) {
    return exec.fail(e);
  }
  return exec.run(req) as unknown as Promise<void>;
}
