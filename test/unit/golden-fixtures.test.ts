// Sanity of the golden fixtures themselves: if these fail, the fixture is broken, not the codec.
import { describe, expect, it } from "vitest";
import { type Golden, listGolden, listGroups, loadGolden, normalizeNl, hexdiff, splitNl } from "../helpers/golden.js";

const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const NLM_F_REQUEST = 0x1;
const NLA_F_NESTED = 0x8000;
const NLA_TYPE_MASK = 0x3fff;

type Family = "rtnl" | "netfilter" | "sockdiag" | "genl";

/** Size of the family header after nlmsghdr, or undefined when unknown (then attributes are not walked). */
function familyHeaderLen(type: number, family: Family, m: Buffer): number | undefined {
  if (family === "genl") return 4; // genlmsghdr, whatever the family's id
  if (family === "netfilter") return type === 0x10 || type === 0x11 || type >> 8 === 10 || type >> 8 === 1 ? 4 : undefined; // batch, nf_tables, ctnetlink: nfgenmsg
  if (family === "sockdiag") {
    // SOCK_DIAG_BY_FAMILY / SOCK_DESTROY: unix_diag_req|msg for AF_UNIX (the first byte), else inet_diag_req_v2|msg
    if (type !== 20 && type !== 21) return undefined;
    const request = (m.readUInt16LE(6) & NLM_F_REQUEST) !== 0;
    if (m[16] === 1) return request ? 24 : 16;
    return request ? 56 : 72;
  }
  if (type >= 16 && type <= 19) return 16; // ifinfomsg
  if (type >= 20 && type <= 23) return 8; // ifaddrmsg
  if (type >= 24 && type <= 27) return 12; // rtmsg
  if (type >= 28 && type <= 30) return 12; // ndmsg
  if (type >= 32 && type <= 34) return 12; // fib_rule_hdr
  return undefined;
}

/** Walks attributes in [start, end) and into every NLA_F_NESTED one; throws on inconsistency. */
function walkAttrs(msg: Buffer, start: number, end: number, path: string): number {
  let off = start;
  let count = 0;
  while (off < end) {
    if (end - off < 4) throw new Error(`${path}: ${end - off} stray bytes at +${off}`);
    const len = msg.readUInt16LE(off);
    const type = msg.readUInt16LE(off + 2);
    if (len < 4) throw new Error(`${path}: nla_len ${len} < 4 at +${off}`);
    if (off + len > end) throw new Error(`${path}: attribute type ${type & NLA_TYPE_MASK} (len ${len}) at +${off} overruns its container ending at +${end}`);
    if (type & NLA_F_NESTED) count += walkAttrs(msg, off + 4, off + len, `${path}/${type & NLA_TYPE_MASK}`);
    count++;
    off += (len + 3) & ~3;
    // Padding of the last attribute may be left out when it ends the container.
    if (off > end) off = end;
  }
  return count;
}

function checkMessage(m: Buffer, family: Family, where: string): void {
  const type = m.readUInt16LE(4);
  if (type === 0) throw new Error(`${where}: nlmsg_type 0`);
  if (type === NLMSG_ERROR) {
    if (m.length < 16 + 4 + 16) throw new Error(`${where}: NLMSG_ERROR too short (${m.length})`);
    const echoed = m.readUInt32LE(20);
    if (echoed < 16) throw new Error(`${where}: NLMSG_ERROR echoes a header with nlmsg_len ${echoed}`);
    return;
  }
  if (type === NLMSG_DONE) {
    if (m.length < 20) throw new Error(`${where}: NLMSG_DONE without its int`);
    return;
  }
  const hl = familyHeaderLen(type, family, m);
  if (hl === undefined) return;
  if (m.length < 16 + hl) throw new Error(`${where}: type ${type} shorter than its family header (${m.length} < ${16 + hl})`);
  walkAttrs(m, 16 + ((hl + 3) & ~3), m.length, `${where} type ${type}`);
}

/** A request entry is exactly one aligned, well-formed netlink request. */
export function checkRequest(buf: Buffer, family: Family, where: string): void {
  const msgs = splitNl(buf);
  if (msgs.length !== 1) throw new Error(`${where}: holds ${msgs.length} messages, expected exactly one`);
  const len = buf.readUInt32LE(0);
  if (len !== buf.length) throw new Error(`${where}: nlmsg_len ${len} != entry length ${buf.length}`);
  if (len % 4 !== 0) throw new Error(`${where}: nlmsg_len ${len} is not 4-byte aligned`);
  if (!(buf.readUInt16LE(6) & NLM_F_REQUEST)) throw new Error(`${where}: NLM_F_REQUEST not set`);
  checkMessage(buf, family, where);
}

/** A reply entry is one received datagram that splits exactly into well-formed messages. */
export function checkReply(buf: Buffer, family: Family, where: string): Buffer[] {
  if (buf.length === 0) throw new Error(`${where}: empty datagram`);
  const msgs = splitNl(buf);
  msgs.forEach((m, i) => checkMessage(m, family, `${where} message ${i}`));
  return msgs;
}

const isNetfilter = (g: Golden) => g.command.startsWith("nft") || /(^|\s)conntrack\s/.test(g.command);
/** Generic netlink tools: every message has a genlmsghdr, whatever the family's (run-time) id. */
const isGenl = (g: Golden) => /^(genl|ethtool)\s/.test(g.command);
const familyOf = (g: Golden): Family =>
  (isNetfilter(g) ? "netfilter" : g.command.startsWith("ss") ? "sockdiag" : isGenl(g) ? "genl" : "rtnl");
/** A listener (conntrack -E) sends nothing: it receives multicast, and runs until timeout ends it. */
const isListener = (g: Golden) => /conntrack -E/.test(g.command);
const isMonitor = (g: Golden) => /(^|\s)monitor(\s|$)/.test(g.command);
const usesJson = (g: Golden) => /(^|\s)(-j|--json)(\s|$)/.test(g.command);
/** Failed commands whose refusal is a reply, not an error: ethtool -K exits 1 when FEATURES_SET_REPLY says nothing changed. */
const REFUSED_IN_REPLY = new Set(["ethtool/features-set-fixed"]);

/** nft resolves interface names with an RTM_GETLINK dump on a NETLINK_ROUTE socket of its own. */
const RTM_GETLINK = 18;
const isLinkDump = (r: Buffer) => r.readUInt16LE(4) === RTM_GETLINK;

function checkFixture(g: Golden, file: string): void {
  const nf = familyOf(g);
  const nft = nf === "netfilter";
  if (g.name !== file.split("/").pop()) throw new Error(`${file}: name "${g.name}" does not match its file`);
  if (g.requests.length === 0 && !isListener(g)) throw new Error(`${file}: no requests`);
  g.requests.forEach((r, i) => {
    // nft's link dump carries a 1-byte rtgenmsg (padded to 4), not a whole ifinfomsg
    if (nft && isLinkDump(r)) expect(r.length === 20 && r.readUInt32LE(0) === 20, `${file} requests[${i}]: link dump`).toBe(true);
    else checkRequest(r, nf, `${file} requests[${i}]`);
  });
  const seqs = new Set(g.requests.map((r) => r.readUInt32LE(8)));
  const routeSeqs = new Set(nft ? g.requests.filter(isLinkDump).map((r) => r.readUInt32LE(8)) : []);
  // monitors join multicast groups: a notification carries the port id of whoever caused it (or 0),
  // answers carry the monitor's own, as its first reply does
  const own = isMonitor(g) && g.replies.length ? g.replies[0]!.readUInt32LE(12) : undefined;
  g.replies.forEach((r, i) => {
    const route = splitNl(r).some((m) => routeSeqs.has(m.readUInt32LE(8)));
    for (const m of checkReply(r, route ? "rtnl" : nf, `${file} replies[${i}]`)) {
      // Only listeners subscribe to multicast groups: every other reply answers one of the requests.
      const answer = !isListener(g) && (own === undefined || m.readUInt32LE(12) === own);
      if (answer && !seqs.has(m.readUInt32LE(8))) throw new Error(`${file} replies[${i}]: seq ${m.readUInt32LE(8)} matches no request`);
    }
  });
  if (usesJson(g)) {
    if (g.json === undefined) throw new Error(`${file}: run with -j but has no "json"`);
    expect(g.json, `${file}: "json" is not the parse of "output"`).toEqual(JSON.parse(g.output));
  } else if (g.json !== undefined) {
    throw new Error(`${file}: has "json" but the command has no -j`);
  }
}

const all = listGroups().flatMap((group) => listGolden(group).map((n) => `${group}/${n}`));

describe("golden fixtures", () => {
  it("exist", () => {
    expect(listGroups()).toContain("seed");
    expect(all.length).toBeGreaterThan(0);
  });

  it.each(all)("%s is well-formed", (file) => {
    checkFixture(loadGolden(file), file);
  });

  it("a failed command carries the kernel's error", () => {
    for (const file of all) {
      const g = loadGolden(file);
      // a monitor runs until it is stopped by a signal
      if (!g.exitCode || isListener(g) || REFUSED_IN_REPLY.has(file) || (isMonitor(g) && g.exitCode === 143)) continue;
      const errs = g.replies.flatMap((r) => splitNl(r)).filter((m) => m.readUInt16LE(4) === NLMSG_ERROR && m.readInt32LE(16) < 0);
      expect(errs.length, `${file} exited ${g.exitCode} without an error reply`).toBeGreaterThan(0);
    }
  });
});

/** nftables changes travel as BATCH_BEGIN, members, BATCH_END; begin/end carry res_id NFNL_SUBSYS_NFTABLES (big-endian). */
export function checkBatches(g: Golden, file: string): number {
  let open = false;
  let batches = 0;
  g.requests.forEach((r, i) => {
    const type = r.readUInt16LE(4);
    if (type === 0x10 || type === 0x11) {
      if (r.readUInt16BE(18) !== 10) throw new Error(`${file} requests[${i}]: batch res_id ${r.readUInt16BE(18)} != NFNL_SUBSYS_NFTABLES`);
      if ((type === 0x10) === open) throw new Error(`${file} requests[${i}]: unbalanced batch ${type === 0x10 ? "begin" : "end"}`);
      open = type === 0x10;
      if (!open) batches++;
    } else if (r.readUInt16LE(4) >> 8 !== 10 && !isLinkDump(r)) {
      throw new Error(`${file} requests[${i}]: type 0x${type.toString(16)} is not an nf_tables message`);
    }
  });
  if (open) throw new Error(`${file}: batch never ends`);
  return batches;
}

describe("nft fixtures", () => {
  const nft = all.filter((f) => loadGolden(f).command.startsWith("nft"));
  it("exist", () => expect(nft.length).toBeGreaterThan(0));
  it.each(nft)("%s has balanced batches", (file) => {
    const g = loadGolden(file);
    const batches = checkBatches(g, file);
    if (/^nft (--debug=netlink )?(-f|add|insert|delete)/.test(g.command)) expect(batches, `${file}: a change without a batch`).toBe(1);
  });
  it("catches a missing BATCH_END", () => {
    const g = loadGolden("nft/nat-masquerade");
    expect(() => checkBatches({ ...g, requests: g.requests.slice(0, -1) }, "x")).toThrow(/never ends/);
  });
});

describe("the checks catch corruption", () => {
  const g = loadGolden("seed/link-add-veth");
  const req = () => Buffer.from(g.requests[0]!);
  const rep = () => Buffer.from(g.replies[0]!);

  it("accepts the pristine fixture", () => {
    expect(() => checkFixture(g, "seed/link-add-veth")).not.toThrow();
  });
  it("nlmsg_len larger than the entry", () => {
    const b = req();
    b.writeUInt32LE(b.length + 4, 0);
    expect(() => checkRequest(b, "rtnl", "x")).toThrow(/runs past the end|!= entry length/);
  });
  it("nlmsg_len smaller than the entry", () => {
    const b = req();
    b.writeUInt32LE(b.length - 4, 0);
    expect(() => checkRequest(b, "rtnl", "x")).toThrow();
  });
  it("unaligned request", () => {
    const b = Buffer.concat([req(), Buffer.from([0])]);
    b.writeUInt32LE(b.length, 0);
    expect(() => checkRequest(b, "rtnl", "x")).toThrow(/aligned|overruns|stray/);
  });
  it("zero message type", () => {
    const b = req();
    b.writeUInt16LE(0, 4);
    expect(() => checkRequest(b, "rtnl", "x")).toThrow(/type 0/);
  });
  it("attribute overrunning its message", () => {
    const b = req();
    b.writeUInt16LE(0x200, 32); // first attribute after ifinfomsg
    expect(() => checkRequest(b, "rtnl", "x")).toThrow(/overruns/);
  });
  it("two messages in one request entry", () => {
    expect(() => checkRequest(Buffer.concat([req(), req()]), "rtnl", "x")).toThrow(/exactly one/);
  });
  it("truncated reply datagram", () => {
    const b = rep();
    expect(() => checkReply(b.subarray(0, b.length - 3), "rtnl", "x")).toThrow();
  });
  it("reply datagram with trailing garbage", () => {
    expect(() => checkReply(Buffer.concat([rep(), Buffer.alloc(8)]), "rtnl", "x")).toThrow(/trailing/);
  });
  it("reply whose seq matches no request", () => {
    const b = rep();
    b.writeUInt32LE(b.readUInt32LE(8) + 1, 8);
    expect(() => checkFixture({ ...g, replies: [b] }, "seed/link-add-veth")).toThrow(/matches no request/);
  });
  it("json that is not the parse of output", () => {
    const j = { ...g, command: "ip -j link show", output: "[]", json: [{}] };
    expect(() => checkFixture(j, "seed/link-add-veth")).toThrow();
  });
});

describe("helpers", () => {
  it("normalizeNl zeroes seq and pid of every message and of the echoed header", () => {
    const g = loadGolden("seed/link-add-veth");
    const two = Buffer.concat([g.replies[0]!, g.replies[0]!]);
    const n = normalizeNl(two);
    for (const m of splitNl(n)) {
      expect(m.readUInt32LE(8)).toBe(0);
      expect(m.readUInt32LE(12)).toBe(0);
      if (m.readUInt16LE(4) === NLMSG_ERROR) expect(m.readUInt32LE(28)).toBe(0);
    }
    expect(two.readUInt32LE(8)).not.toBe(0); // input untouched
  });
  it("hexdiff is empty for equal buffers and points at the first difference", () => {
    const a = loadGolden("seed/link-add-veth").requests[0]!;
    expect(hexdiff(a, Buffer.from(a))).toBe("");
    const b = Buffer.from(a);
    b[0x25] ^= 0xff;
    expect(hexdiff(a, b)).toMatch(/offset 0x25/);
  });
});
