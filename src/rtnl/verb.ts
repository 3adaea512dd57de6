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
  return send(exec, req);
}

/**
 * Sends a built change request: at once through requestSync when the executor is not a batch
 * (one promise per call instead of run()'s chain), else queued. Settles as run() would.
 */
export function send(exec: Executor, req: Request): Promise<void> {
  const sock = exec.direct;
  if (sock === undefined) return exec.run(req) as unknown as Promise<void>;
  try {
    return Promise.resolve(sock.requestSync(req)) as unknown as Promise<void>;
  } catch (e) {
    return Promise.reject(e);
  }
}
