import { NLM_F_APPEND, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE } from "../netlink/constants.js";
import type { Decoder } from "../netlink/decoder.js";
import { NetlinkError, NlkitInputError } from "../netlink/errors.js";
import type { CallOptions, Request } from "../netlink/socket.js";
import { closeFds, type BuildContext, type Built, type Executor, type RtnlContext } from "./context.js";

/** ESRCH, ENOENT, EADDRNOTAVAIL, ENODEV: what a delete of something already gone is answered. */
const GONE = new Set([3, 2, 99, 19]);

/** An object a flush listed went away by itself before its delete: flushed all the same. */
function vanished(e: unknown): boolean {
  return e instanceof NetlinkError && GONE.has(e.errno);
}

/**
 * Options of every change verb (add, replace, append, del, set): how long it may wait.
 *
 * @example
 * ```ts
 * const opts: ChangeOptions = { signal: AbortSignal.timeout(1000) };
 * await rt.link.del("veth0", opts);
 * ```
 */
export type ChangeOptions = CallOptions;

/**
 * add()'s options: besides waiting, replace (CREATE|REPLACE) or append (CREATE|APPEND).
 *
 * @example
 * ```ts
 * const opts: AddOptions = { replace: true, timeoutMs: 2000 };
 * await rt.addrlabel.add({ prefix: "2001:db8::/32", label: 5 }, opts);   // overwrites an existing label
 * ```
 */
export interface AddOptions extends CallOptions {
  /** Overwrite an existing object (NLM_F_REPLACE), as ip's replace. */
  replace?: boolean;
  /** Add after existing ones with the same key (NLM_F_APPEND), as ip's append. */
  append?: boolean;
}

/** NLM_F_* of an add: CREATE|EXCL, CREATE|REPLACE or CREATE|APPEND. */
export function addFlags(opts: AddOptions | undefined, canAppend: boolean): number {
  if (opts?.replace && opts.append) throw new NlkitInputError("replace and append exclude each other", "replace");
  if (opts?.append && !canAppend) throw new NlkitInputError("the kernel cannot append this object", "append");
  return NLM_F_CREATE | (opts?.replace ? NLM_F_REPLACE : opts?.append ? NLM_F_APPEND : NLM_F_EXCL);
}

/**
 * What every rtnetlink object's verbs share: a change request is built (its devices resolved
 * first), then sent at once or queued in a batch; a read always goes straight to the socket,
 * even from a batch. Inside a batch the outcome reports every failure, so a verb's own promise
 * may go unread and must not count as an unhandled rejection.
 */
export abstract class ObjectVerbs {
  constructor(protected readonly ctx: RtnlContext, protected readonly exec: Executor) {}

  /** Builds (see RtnlContext.build) and runs a change; resolves when the kernel accepted it. */
  protected change(builder: (b: BuildContext) => Request, opts?: CallOptions): Promise<void> {
    let built: Built<Request> | Promise<Built<Request>>;
    try {
      built = this.ctx.build(builder, opts);
    } catch (e) {
      return this.exec.fail(e);
    }
    if (!(built instanceof Promise)) {
      const p = this.exec.run(built.value, undefined, opts) as unknown as Promise<void>;
      return built.fds.length ? this.closingFds(p, built.fds) : p;
    }
    let fds: number[] = [];
    const req = built.then((b) => {
      fds = b.fds;
      return b.value;
    });
    const p = this.exec.run(req, undefined, opts) as unknown as Promise<void>;
    return this.handled(p.finally(() => closeFds(fds)));
  }

  private closingFds(p: Promise<void>, fds: number[]): Promise<void> {
    return this.handled(p.finally(() => closeFds(fds)));
  }

  /** A dump, decoded; `retries` rides out NLM_F_DUMP_INTR (IPv6 DAD flips are enough). */
  protected readDump<T>(req: Request, decode: Decoder<T>, opts?: CallOptions): Promise<T[]> {
    return this.ctx.socket.dump(req, decode, { ...opts, retries: 2 });
  }

  /** A single-reply GET. */
  protected readOne<T>(req: Request, decode: Decoder<T>, opts?: CallOptions): Promise<T[]> {
    return this.ctx.socket.request({ ...req, reply: true }, decode, opts);
  }

  /** See the class comment: a batched promise is handled, its rejection still reaches awaiters. */
  protected handled<T>(p: Promise<T>): Promise<T> {
    if (this.exec.batched) p.catch(() => undefined);
    return p;
  }

  /**
   * Lists, then deletes what it found, one request each, and resolves with how many. Outside a
   * batch the first refusal rejects it once every delete has been tried. In a batch the deletes
   * are queued (the batch waits for that before it is sent) and the outcome reports refusals.
   */
  protected flushAll<T>(list: () => Promise<readonly T[]>, del: (item: T) => Promise<void>): Promise<number> {
    const run = (async () => {
      const found = await list();
      const dels = found.map(del);
      if (this.exec.batched) return found.length;
      const results = await Promise.allSettled(dels);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected" && !vanished(r.reason));
      if (failed) throw failed.reason;
      return found.length;
    })();
    this.exec.defer?.(run);
    return this.handled(run);
  }
}
