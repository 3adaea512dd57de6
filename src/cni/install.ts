// `nlkit-cni install DIR [--prefix P] [--force]`: busybox-style links, one per plugin name.
import * as fs from "node:fs";
import * as path from "node:path";
import { NlkitInputError } from "../netlink/errors.js";

/**
 * The plugin names `installLinks()` creates links for in a CNI bin directory.
 *
 * @example
 * ```ts
 * import { existsSync } from "node:fs";
 * // which of nlkit-cni's plugins a CNI bin directory has
 * const missing = PLUGIN_NAMES.filter((name) => !existsSync(`/opt/cni/bin/nlkit-${name}`));
 * if (missing.length) console.log(`run: nlkit-cni install /opt/cni/bin --prefix nlkit-  (missing ${missing.join(", ")})`);
 * ```
 */
export const PLUGIN_NAMES = ["bridge", "host-local", "portmap", "loopback"] as const;

/**
 * How `installLinks()` names and places the links.
 *
 * @example
 * ```ts
 * // beside the reference plugins, replacing their binaries of the same names
 * const opts: InstallOptions = { prefix: "", force: true };
 * installLinks("/opt/cni/bin", "/usr/local/bin/nlkit-cni", opts);
 * ```
 */
export interface InstallOptions {
  /** Put before each plugin's name ("nlkit-" gives nlkit-bridge); default none. It must not contain "/". */
  prefix?: string;
  /** Replace regular files of the same names (the reference's binaries) too. */
  force?: boolean;
}

/**
 * Creates DIR/<prefix><name> -> `target` for every plugin, replacing symbolic links already
 * there; a regular file is replaced only with `force`. Returns the links made. A bad prefix, or a
 * regular file in the way without `force`, throws `NlkitInputError` (EINVAL, EEXIST) before any
 * link changes.
 *
 * @example
 * ```ts
 * import { realpathSync } from "node:fs";
 * // like `nlkit-cni install /opt/cni/bin --prefix nlkit-`
 * const made = installLinks("/opt/cni/bin", realpathSync("/usr/local/bin/nlkit-cni"), { prefix: "nlkit-" });
 * console.log(made); // [ '/opt/cni/bin/nlkit-bridge', '/opt/cni/bin/nlkit-host-local', '/opt/cni/bin/nlkit-portmap', '/opt/cni/bin/nlkit-loopback' ]
 * ```
 */
export function installLinks(dir: string, target: string, opts: InstallOptions = {}): string[] {
  const prefix = opts.prefix ?? "";
  if (prefix.includes("/")) throw new NlkitInputError(`invalid prefix "${prefix}": it must not contain '/'`, "prefix");
  const links = PLUGIN_NAMES.map((name) => path.join(dir, prefix + name));
  // every refusal before the first change
  for (const link of links) {
    let existing: fs.Stats | undefined;
    try {
      existing = fs.lstatSync(link);
    } catch {
      existing = undefined;
    }
    if (existing && !existing.isSymbolicLink() && !opts.force) {
      throw new NlkitInputError(`${link} exists and is not a symbolic link: give --force to replace it`, "force", "EEXIST");
    }
  }
  fs.mkdirSync(dir, { recursive: true });
  const made: string[] = [];
  for (const link of links) {
    // a new link renamed over the old one: never a moment without the plugin
    const tmp = `${link}.nlkit-${process.pid}`;
    fs.rmSync(tmp, { force: true });
    fs.symlinkSync(target, tmp);
    fs.renameSync(tmp, link);
    made.push(link);
  }
  return made;
}
