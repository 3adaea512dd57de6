// host-local's data directory, byte-compatible with the reference's disk backend so both can share
// one: <dataDir>/<network>/<ip> holding "<containerID>\r\n<ifname>", last_reserved_ip.<range
// index> holding the address text, and an empty "lock" file that guards the whole directory.
import * as fs from "node:fs";
import * as path from "node:path";
import { formatAddr, parseAddr, type IpAddr } from "../ip.js";

/**
 * Where host-local records allocations when the configuration names no `dataDir`, the reference
 * plugin's directory, so the two can share it.
 *
 * @example
 * ```ts
 * import { readdirSync } from "node:fs";
 * import { join } from "node:path";
 * // one file per address taken, shared with the reference host-local plugin
 * console.log(readdirSync(join(DEFAULT_DATA_DIR, "lab"))); // [ '10.22.0.2', 'last_reserved_ip.0', 'lock' ]
 * ```
 */
export const DEFAULT_DATA_DIR = "/var/lib/cni/networks";
const LAST_RESERVED = "last_reserved_ip.";
// the reference writes CRLF between the ID and the interface name
const LINE_BREAK = "\r\n";

export class DiskStore {
  readonly dir: string;

  constructor(network: string, dataDir?: string) {
    this.dir = path.join(dataDir || DEFAULT_DATA_DIR, network);
  }

  /** Creates the directory (0755, like the reference). */
  ensureDir(): void {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o755 });
  }

  get lockPath(): string {
    return path.join(this.dir, "lock");
  }

  /** Claims an address for (id, ifname): false when it is taken already. */
  reserve(id: string, ifname: string, addr: IpAddr, rangeIndex: number): boolean {
    const file = path.join(this.dir, formatAddr(addr));
    let fd: number;
    try {
      fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_EXCL | fs.constants.O_CREAT, 0o644);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw e;
    }
    try {
      fs.writeSync(fd, id.trim() + LINE_BREAK + ifname);
    } catch (e) {
      fs.closeSync(fd);
      fs.rmSync(file, { force: true });
      throw e;
    }
    fs.closeSync(fd);
    fs.writeFileSync(path.join(this.dir, LAST_RESERVED + rangeIndex), formatAddr(addr), { mode: 0o644 });
    return true;
  }

  lastReserved(rangeIndex: number): IpAddr | undefined {
    try {
      return parseAddr(fs.readFileSync(path.join(this.dir, LAST_RESERVED + rangeIndex), "utf8"));
    } catch {
      return undefined;
    }
  }

  /** Every reservation file: its address and owner. Files that are not addresses are skipped. */
  entries(): Array<{ addr: IpAddr; file: string; id: string; ifname?: string }> {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw e;
    }
    const out: Array<{ addr: IpAddr; file: string; id: string; ifname?: string }> = [];
    for (const name of names) {
      const addr = parseAddr(name);
      if (!addr) continue;
      const file = path.join(this.dir, name);
      let text: string;
      try {
        text = fs.readFileSync(file, "utf8").trim();
      } catch {
        continue;
      }
      const brk = text.search(/\r?\n/);
      // files written before the interface name was recorded hold the ID only
      if (brk < 0) out.push({ addr, file, id: text });
      else out.push({ addr, file, id: text.slice(0, brk), ifname: text.slice(brk).replace(/^\r?\n/, "") });
    }
    return out;
  }

  /** The reservations of an attachment; the reference also counts ID-only files as its own. */
  byOwner(id: string, ifname: string): Array<{ addr: IpAddr; file: string }> {
    const key = id.trim();
    const exact = this.entries().filter((e) => e.id === key && e.ifname === ifname);
    if (exact.length) return exact;
    return this.entries().filter((e) => e.id === key && e.ifname === undefined);
  }

  /** Removes an attachment's reservations; returns the addresses released. */
  releaseOwner(id: string, ifname: string): IpAddr[] {
    const released: IpAddr[] = [];
    for (const e of this.byOwner(id, ifname)) {
      try {
        fs.unlinkSync(e.file);
        released.push(e.addr);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      }
    }
    return released;
  }

  release(file: string): void {
    fs.rmSync(file, { force: true });
  }
}
