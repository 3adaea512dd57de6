// Named namespaces the way `ip netns add/attach/del/list` keep them: an nsfs bind mount on a
// file under /run/netns, so that the namespace outlives every process in it and every tool finds it.
import * as fs from "node:fs";
import { netnsNamePath, validateNetnsName, NETNS_RUN_DIR } from "../netlink/netns-ref.js";
import * as sys from "../syscalls/index.js";
import { netnsFail } from "./errors.js";
import { dumpIds, getIdOn, openNsidSocket, type NsidOptions } from "./nsid.js";
import { resolve, identify, type NetnsLike } from "./ref.js";

/**
 * Fault injection for tests only (not exported from the package), called inside the namespace
 * window: a throw from beforeBind stands for a failed mount (file created, nothing mounted), one
 * from afterBind for a failure after the mount (file created and mounted).
 */
export const addFaults: { beforeBind?: (path: string) => void; afterBind?: (path: string) => void } = {};

const { O_RDONLY, O_CREAT, O_EXCL } = fs.constants;

/**
 * /run/netns must be a shared mount so that namespaces added in one mount namespace appear (and
 * disappear) in the others; if it is not a mount point yet, it is bound onto itself first.
 */
let runDirPrepared = false;

function prepareRunDir(name: string): void {
  try {
    fs.mkdirSync(NETNS_RUN_DIR, { mode: 0o755 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") netnsFail(e, "mkdir", name, `Cannot create ${NETNS_RUN_DIR}`);
  }
  const shared = () => sys.mount("none", NETNS_RUN_DIR, "none", sys.MS_SHARED | sys.MS_REC, null);
  try {
    shared();
  } catch (e) {
    if (!(e instanceof sys.SyscallError) || e.code !== "EINVAL") netnsFail(e, "mount", name, `mount --make-shared ${NETNS_RUN_DIR} failed`);
    try {
      sys.mount(NETNS_RUN_DIR, NETNS_RUN_DIR, "none", sys.MS_BIND | sys.MS_REC, null);
      shared();
    } catch (e2) {
      netnsFail(e2, "mount", name, `mount --make-shared ${NETNS_RUN_DIR} failed`);
    }
  }
  runDirPrepared = true;
}

// O_EXCL: an existing namespace of that name is never touched.
const createFile = (path: string): number => fs.openSync(path, O_RDONLY | O_CREAT | O_EXCL, 0);

/**
 * Creates the file and bind-mounts a namespace on it: a fresh one (source undefined) or an
 * existing one by path. Whatever fails after the file exists removes the mount and the file, so
 * a failed add leaves neither an empty file nor a dangling mount.
 */
function mountNamed(name: string, source: string | undefined): void {
  const path = netnsNamePath(name);
  // once per process (the mount stays shared), so that W4-style churn pays three syscalls less
  // per add; a run dir removed since then shows as ENOENT and is prepared again
  const prepared = runDirPrepared;
  if (!prepared) prepareRunDir(name);
  let fd: number;
  try {
    fd = createFile(path);
  } catch (e) {
    const cannot = `Cannot create namespace file "${path}"`;
    if (!prepared || (e as NodeJS.ErrnoException).code !== "ENOENT") return netnsFail(e, "open", name, cannot);
    prepareRunDir(name);
    try {
      fd = createFile(path);
    } catch (e2) {
      return netnsFail(e2, "open", name, cannot);
    }
  }
  fs.closeSync(fd);
  let mounted = false;
  const bind = (from: string) => {
    addFaults.beforeBind?.(path);
    sys.mount(from, path, "none", sys.MS_BIND, null);
    mounted = true;
    addFaults.afterBind?.(path);
  };
  try {
    if (source === undefined) sys.withNewNetns(() => bind("/proc/thread-self/ns/net"));
    else bind(source);
  } catch (e) {
    if (mounted) {
      try { sys.umount2(path, sys.MNT_DETACH); } catch { /* then the unlink fails too (EBUSY): the first error is the one to report */ }
    }
    try { fs.unlinkSync(path); } catch { /* the first error is the one to report */ }
    netnsFail(e, "mount", name, `Cannot create namespace "${name}"`);
  }
}

/** `ip netns add NAME`: a new, empty network namespace (only lo, down). EEXIST if the name is taken. */
export async function add(name: string): Promise<void> {
  validateNetnsName(name);
  mountNamed(name, undefined);
}

/**
 * `ip netns attach NAME PID`: gives a name to an existing namespace (of a process, a path or an
 * fd).
 */
export async function attach(name: string, target: NetnsLike | number): Promise<void> {
  validateNetnsName(name);
  const ref = typeof target === "number" ? { netnsPid: target } : target;
  // A bind mount takes any file: without this check a regular file could pose as a namespace.
  identify(ref);
  const r = resolve(ref);
  mountNamed(name, r.path ?? `/proc/self/fd/${r.fd}`);
}

/**
 * `ip netns del NAME`: the name goes at once; the namespace itself lives on while processes or
 * sockets still hold it. ENOENT (a NetnsError) when there is no such name.
 */
export async function del(name: string): Promise<void> {
  const path = netnsNamePath(name);
  // Like ip: the unmount may fail for a stale, unmounted file; the unlink then says what is wrong.
  try { sys.umount2(path, sys.MNT_DETACH); } catch { /* see unlink */ }
  try {
    fs.unlinkSync(path);
  } catch (e) {
    netnsFail(e, "unlink", name, `Cannot remove namespace file "${path}"`);
  }
}

/**
 * Names under /run/netns in directory order, which is the order `ip netns list` prints (it does
 * not sort either); sort the result if you need a stable order. Hence opendir/readSync rather
 * than readdirSync, which sorts.
 */
export function listSync(): string[] {
  let dir: fs.Dir;
  try {
    dir = fs.opendirSync(NETNS_RUN_DIR);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    return netnsFail(e, "opendir", NETNS_RUN_DIR, `Cannot list ${NETNS_RUN_DIR}`);
  }
  const names: string[] = [];
  try {
    for (let d = dir.readSync(); d; d = dir.readSync()) names.push(d.name);
  } finally {
    dir.closeSync();
  }
  return names;
}

export async function list(): Promise<string[]> {
  return listSync();
}

/**
 * A named namespace with its id, as `netns.listDetailed()` reports it (`ip netns list`'s line).
 *
 * @example
 * ```ts
 * // ip netns list: "ns1 (id: 0)"
 * for (const e of await netns.listDetailed()) console.log(e.nsid === undefined ? e.name : `${e.name} (id: ${e.nsid})`);
 * ```
 */
export interface NetnsEntry {
  /** The namespace's name: its file under /run/netns. */
  name: string;
  /** The namespace's id in the current namespace (or in `opts.in`), when one is assigned. */
  nsid?: number;
}

/** `ip netns list` with ids: what it prints as "NAME (id: N)". */
export async function listDetailed(opts: NsidOptions = {}): Promise<NetnsEntry[]> {
  const names = listSync();
  if (!names.length) return [];
  const sock = openNsidSocket(opts);
  try {
    return names.map((name) => {
      let nsid: number | undefined;
      try {
        nsid = getIdOn(sock, name);
      } catch {
        // a stale file or a name that vanished meanwhile: listed without an id, as ip does
      }
      return nsid === undefined ? { name } : { name, nsid };
    });
  } finally {
    sock.close();
  }
}

/** True when NAME is a network namespace mounted under /run/netns (a stale empty file is not). */
export async function exists(name: string): Promise<boolean> {
  validateNetnsName(name);
  try {
    identify({ netns: name });
    return true;
  } catch (e) {
    if ((e as { code?: string }).code === "ENOENT" || (e as { code?: string }).code === "EINVAL") return false;
    throw e;
  }
}

/**
 * A namespace id assigned in the current namespace, as `ip netns list-id` prints it.
 *
 * @example
 * ```ts
 * // ip netns list-id: "nsid 0 (iproute2 netns name: ns1)"
 * for (const e of await netns.listIds()) console.log(`nsid ${e.nsid}${e.name ? ` (iproute2 netns name: ${e.name})` : ""}`);
 * ```
 */
export interface NsidEntry {
  /** The id (NETNSA_NSID) the current namespace (or `opts.in`) knows that namespace by. */
  nsid: number;
  /** The name under /run/netns of the namespace with that id, when it has one. */
  name?: string;
}

/** `ip netns list-id`: assigned nsids, with the names of the named namespaces they belong to. */
export async function listIds(opts: NsidOptions = {}): Promise<NsidEntry[]> {
  const ids = await dumpIds(opts);
  const entries = await listDetailed(opts);
  const names = new Map(entries.filter((e) => e.nsid !== undefined).map((e) => [e.nsid!, e.name]));
  return ids.map((nsid) => {
    const name = names.get(nsid);
    return name === undefined ? { nsid } : { nsid, name };
  });
}
