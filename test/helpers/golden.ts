// Loader for the golden netlink fixtures in test/fixtures/golden (format: README.md there).
// Requests and replies keep the seq/pid of the capture; compare through normalizeNl().
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { decodeParts } from "../../src/netlink/compiled.js";
import { linkMessage } from "../../src/rtnl/link/attrs.js";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const GOLDEN_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "golden");

export interface Golden {
  name: string;
  command: string;
  setup: string[];
  requests: Buffer[];
  replies: Buffer[];
  output: string;
  json?: unknown;
  notes?: string;
  /** nft fixtures: the text of the file passed with `nft -f input.nft`. */
  input?: string;
  /** What the tool printed on stderr (error text for commands the kernel refused). */
  stderr?: string;
  exitCode?: number;
  kernel?: string;
  tool?: string;
  /** monitor fixtures: what ran, one command each, while the traced monitor listened. */
  actions?: string[];
}

const HEX = /^(?:[0-9a-f]{2})*$/;

function hexList(v: unknown, field: string, where: string): Buffer[] {
  if (!Array.isArray(v)) throw new Error(`${where}: "${field}" is not an array`);
  return v.map((h, i) => {
    if (typeof h !== "string" || !HEX.test(h)) throw new Error(`${where}: ${field}[${i}] is not lowercase hex`);
    return Buffer.from(h, "hex");
  });
}

/** Loads "group/name" (relative to test/fixtures/golden, with or without ".json"). */
export function loadGolden(path: string): Golden {
  const file = join(GOLDEN_ROOT, path.endsWith(".json") ? path : `${path}.json`);
  const raw = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  const where = `golden ${path}`;
  for (const k of ["name", "command", "output"] as const) {
    if (typeof raw[k] !== "string") throw new Error(`${where}: "${k}" must be a string`);
  }
  if (!Array.isArray(raw.setup) || !raw.setup.every((s) => typeof s === "string")) {
    throw new Error(`${where}: "setup" must be an array of strings`);
  }
  const g: Golden = {
    name: raw.name as string,
    command: raw.command as string,
    setup: raw.setup as string[],
    requests: hexList(raw.requests, "requests", where),
    replies: hexList(raw.replies, "replies", where),
    output: raw.output as string,
  };
  if ("json" in raw) g.json = raw.json;
  for (const k of ["notes", "input", "stderr", "kernel", "tool"] as const) {
    if (typeof raw[k] === "string") g[k] = raw[k] as string;
  }
  if (typeof raw.exitCode === "number") g.exitCode = raw.exitCode;
  if (Array.isArray(raw.actions) && raw.actions.every((s) => typeof s === "string")) g.actions = raw.actions as string[];
  return g;
}

/** Fixture names (without ".json") in a group, sorted. */
export function listGolden(group: string): string[] {
  const dir = join(GOLDEN_ROOT, group);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -5))
    .sort();
}

/** Groups (directories) under test/fixtures/golden, sorted. */
export function listGroups(): string[] {
  return readdirSync(GOLDEN_ROOT, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

const NLMSG_HDRLEN = 16;
const NLMSG_ERROR = 2;
const align4 = (n: number) => (n + 3) & ~3;

/**
 * Splits a buffer into its netlink messages (views into buf). Throws when the buffer does not
 * split exactly: nlmsg_len below the header size, past the end, or bytes left over. The last
 * message's padding may be absent.
 */
export function splitNl(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let off = 0;
  while (off < buf.length) {
    if (buf.length - off < NLMSG_HDRLEN) throw new Error(`${buf.length - off} trailing bytes at offset ${off}`);
    const len = buf.readUInt32LE(off);
    if (len < NLMSG_HDRLEN) throw new Error(`nlmsg_len ${len} < 16 at offset ${off}`);
    if (off + len > buf.length) throw new Error(`nlmsg_len ${len} at offset ${off} runs past the end (${buf.length})`);
    out.push(buf.subarray(off, off + len));
    off += align4(len);
  }
  return out;
}

/**
 * Copy of buf with nlmsg_seq and nlmsg_pid zeroed in every netlink message it contains, and also
 * in the request header that an NLMSG_ERROR echoes back (so acks compare equal too).
 * Stops quietly at a malformed length rather than throwing: it is used to build diff messages.
 */
export function normalizeNl(buf: Buffer): Buffer {
  const out = Buffer.from(buf);
  let off = 0;
  while (off + NLMSG_HDRLEN <= out.length) {
    const len = out.readUInt32LE(off);
    if (len < NLMSG_HDRLEN || off + len > out.length) break;
    out.writeUInt32LE(0, off + 8);
    out.writeUInt32LE(0, off + 12);
    if (out.readUInt16LE(off + 4) === NLMSG_ERROR && len >= NLMSG_HDRLEN + 4 + NLMSG_HDRLEN) {
      out.writeUInt32LE(0, off + NLMSG_HDRLEN + 4 + 8);
      out.writeUInt32LE(0, off + NLMSG_HDRLEN + 4 + 12);
    }
    off += align4(len);
  }
  return out;
}

function dumpRows(b: Buffer, from: number, to: number, diffAt: number): string[] {
  const rows: string[] = [];
  for (let row = from; row < to; row += 16) {
    const cells: string[] = [];
    for (let i = row; i < row + 16; i++) {
      const c = i < b.length ? b[i]!.toString(16).padStart(2, "0") : "  ";
      cells.push(i === diffAt ? `[${c}]` : ` ${c} `);
    }
    rows.push(`${row.toString(16).padStart(6, "0")}  ${cells.join("").replace(/\s+$/, "")}`);
  }
  return rows;
}

/** Which message (and offset inside it) a byte offset falls in, for orientation. */
function locate(b: Buffer, at: number): string {
  let off = 0;
  let i = 0;
  while (off + NLMSG_HDRLEN <= b.length) {
    const len = b.readUInt32LE(off);
    if (len < NLMSG_HDRLEN) break;
    if (at < off + align4(len)) return `message ${i} (type ${b.readUInt16LE(off + 4)}) +0x${(at - off).toString(16)}`;
    off += align4(len);
    i++;
  }
  return "past the last message";
}

/**
 * A readable description of the first differing region of a and b (expected, actual), or ""
 * when they are equal. Meant for assertion messages:
 *   expect(hexdiff(want, got)).toBe("")
 */
export function hexdiff(a: Buffer, b: Buffer): string {
  if (a.equals(b)) return "";
  let at = 0;
  const n = Math.min(a.length, b.length);
  while (at < n && a[at] === b[at]) at++;
  const from = Math.max(0, (at & ~15) - 16);
  const to = Math.min(Math.max(a.length, b.length), (at & ~15) + 48);
  const lines = [
    `buffers differ at offset 0x${at.toString(16)} (${at}); lengths ${a.length} vs ${b.length}`,
    `  expected: ${locate(a, at)}`,
    `  actual:   ${locate(b, at)}`,
    "expected:",
    ...dumpRows(a, from, Math.min(to, align4(a.length) + 16), at).map((r) => "  " + r),
    "actual:",
    ...dumpRows(b, from, Math.min(to, align4(b.length) + 16), at).map((r) => "  " + r),
  ];
  return lines.join("\n");
}

/** index -> name of every RTM_NEWLINK among a fixture's replies (what a dump of links taught ip). */
export function fixtureLinkNames(replies: readonly Buffer[]): Map<number, string> {
  const names = new Map<number, string>();
  for (const dgram of replies) {
    for (const m of splitNl(dgram)) {
      if (m.readUInt16LE(4) !== 16) continue;
      const p = decodeParts<{ index?: number }>(m, 0, m.length, linkMessage, ["ifname"]);
      if (p.header.index !== undefined && typeof p.attrs.ifname === "string") names.set(p.header.index, p.attrs.ifname);
    }
  }
  return names;
}

/** Fixture groups of other netlink families than rtnetlink (their message types overlap RTM_*). */
const OTHER_FAMILIES = new Set(["nft", "nft-corpus", "sockdiag", "conntrack", "genl", "ethtool"]);

/** The fixture groups whose messages are rtnetlink's. */
export function rtnetlinkGroups(): string[] {
  return listGroups().filter((g) => !OTHER_FAMILIES.has(g));
}
