// Turns the raw captures written by scripts/capture-golden.sh into golden fixtures.
//
//   npx tsx scripts/strace-to-fixture.ts <capture-dir> <fixtures-root>
//
// <capture-dir> holds one directory per capture (named <group>__<name>) with plain files:
// trace (strace -o output), stdout, stderr, rc, command, setup (one command a line), tool,
// kernel, and optionally notes, input, json (the literal "1" when stdout is JSON), actions (what
// ran, one command a line, while a monitor was being traced).
// The fixture format is a contract with test/helpers/golden.ts: see test/fixtures/golden/README.md.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

interface Syscall {
  call: string;
  fd: number;
  netlink: boolean;
  peek: boolean;
  ret: number;
  bytes: Buffer;
}

const NLMSG_ERROR = 2;
const RTM_NEWLINK = 16;
const NLM_F_REQUEST = 0x1;
const NLM_F_ACK = 0x4;

// strace -xx -e write=all -e read=all prints, after each traced call, an optional
// " * N bytes in buffer K" line per iovec and then " | OFFSET  HEX...  ASCII |" lines.
// The hex area is 16 "xx " groups plus one extra space after the eighth: 49 characters.
const CALL_RE = /^(?:\[pid\s+\d+\]\s+|\d+\s+)?(sendmsg|sendto|recvmsg|recvfrom)\((\d+)(<[^>]*>)?,(.*)\)\s+=\s+(-?\d+)/;
const BUFHDR_RE = /^\s\*\s(\d+) bytes in buffer (\d+)/;
const DUMP_RE = /^\s\|\s([0-9a-f]+)\s\s(.{49})/;

export function parseTrace(text: string): Syscall[] {
  const out: Syscall[] = [];
  let cur: (Syscall & { chunks: Buffer[]; declared: number[]; pending: number[]; expectOff: number }) | null = null;
  const finish = (): void => {
    if (!cur) return;
    if (cur.pending.length) flushBuffer(cur);
    const bytes = Buffer.concat(cur.chunks);
    if (cur.ret >= 0 && cur.chunks.length > 0 && bytes.length !== cur.ret) {
      throw new Error(`${cur.call}(fd ${cur.fd}) returned ${cur.ret} but strace dumped ${bytes.length} bytes`);
    }
    out.push({ call: cur.call, fd: cur.fd, netlink: cur.netlink, peek: cur.peek, ret: cur.ret, bytes });
    cur = null;
  };
  const flushBuffer = (c: NonNullable<typeof cur>): void => {
    const b = Buffer.from(c.pending);
    const want = c.declared[c.chunks.length];
    if (want !== undefined && want !== b.length) {
      throw new Error(`${c.call}: buffer ${c.chunks.length} declared ${want} bytes, dump has ${b.length}`);
    }
    c.chunks.push(b);
    c.pending = [];
    c.expectOff = 0;
  };
  for (const raw of text.split("\n")) {
    const line = raw.replace(/^\d+\s+(?= [|*])/, "");
    const m = CALL_RE.exec(line);
    if (m) {
      finish();
      const [, call, fd, ann, args, ret] = m as unknown as [string, string, string, string | undefined, string, string];
      cur = {
        call,
        fd: Number(fd),
        netlink: (ann ?? "").includes("NETLINK"),
        // msg_flags inside the struct never shows MSG_PEEK, so any occurrence is the flags argument.
        peek: args.includes("MSG_PEEK"),
        ret: Number(ret),
        bytes: Buffer.alloc(0),
        chunks: [],
        declared: [],
        pending: [],
        expectOff: 0,
      };
      continue;
    }
    if (!cur) continue;
    const h = BUFHDR_RE.exec(line);
    if (h) {
      if (cur.pending.length) flushBuffer(cur);
      cur.declared[Number(h[2])] = Number(h[1]);
      continue;
    }
    const d = DUMP_RE.exec(line);
    if (d) {
      const off = parseInt(d[1]!, 16);
      if (off === 0 && cur.pending.length) flushBuffer(cur);
      if (off !== cur.expectOff) throw new Error(`${cur.call}: dump offset ${off} != expected ${cur.expectOff}`);
      const hex = d[2]!.match(/[0-9a-f]{2}/g) ?? [];
      for (const x of hex) cur.pending.push(parseInt(x, 16));
      cur.expectOff += hex.length;
      continue;
    }
    if (/^\s/.test(line) || line === "") continue;
    // Anything else (exit lines, other syscalls, "resumed") ends the current call's dump.
    finish();
  }
  finish();
  return out;
}

/** Splits a buffer into netlink messages; throws on any inconsistency. */
export function splitMessages(buf: Buffer, onZeroTail?: (bytes: number) => void): Buffer[] {
  const msgs: Buffer[] = [];
  let off = 0;
  while (off < buf.length) {
    // iproute2 sends sizeof(req) for some dump requests: nlmsg_len covers the header, the rest of
    // its buffer follows as zeros. The kernel stops at the zero nlmsg_len; so do we, but say so.
    if (onZeroTail && off > 0 && buf.subarray(off).every((b) => b === 0)) {
      onZeroTail(buf.length - off);
      break;
    }
    if (buf.length - off < 16) throw new Error(`trailing ${buf.length - off} bytes at ${off}`);
    const len = buf.readUInt32LE(off);
    if (len < 16 || off + len > buf.length) throw new Error(`bad nlmsg_len ${len} at ${off} (buffer ${buf.length})`);
    msgs.push(Buffer.from(buf.subarray(off, off + len)));
    off += (len + 3) & ~3;
  }
  return msgs;
}

const hdr = (m: Buffer) => ({ len: m.readUInt32LE(0), type: m.readUInt16LE(4), flags: m.readUInt16LE(6), seq: m.readUInt32LE(8) });

/**
 * iproute2's `ip link` checks once per run whether the kernel knows RTM_NEWLINK by sending an
 * empty one (seq 0, ifindex 0) and expecting ENODEV. It says nothing about the command.
 */
function isNewlinkProbe(m: Buffer): boolean {
  const h = hdr(m);
  return h.type === RTM_NEWLINK && h.len === 32 && h.flags === (NLM_F_REQUEST | NLM_F_ACK) && h.seq === 0 && m.subarray(16).every((b) => b === 0);
}

const RTM: Record<number, string> = {
  16: "RTM_NEWLINK", 17: "RTM_DELLINK", 18: "RTM_GETLINK", 19: "RTM_SETLINK",
  20: "RTM_NEWADDR", 21: "RTM_DELADDR", 22: "RTM_GETADDR",
  24: "RTM_NEWROUTE", 25: "RTM_DELROUTE", 26: "RTM_GETROUTE",
  28: "RTM_NEWNEIGH", 29: "RTM_DELNEIGH", 30: "RTM_GETNEIGH",
  32: "RTM_NEWRULE", 33: "RTM_DELRULE", 34: "RTM_GETRULE",
  36: "RTM_NEWQDISC", 37: "RTM_DELQDISC", 38: "RTM_GETQDISC",
  40: "RTM_NEWTCLASS", 41: "RTM_DELTCLASS", 42: "RTM_GETTCLASS",
  44: "RTM_NEWTFILTER", 45: "RTM_DELTFILTER", 46: "RTM_GETTFILTER",
};
const NFT = [
  "NEWTABLE", "GETTABLE", "DELTABLE", "NEWCHAIN", "GETCHAIN", "DELCHAIN", "NEWRULE", "GETRULE", "DELRULE",
  "NEWSET", "GETSET", "DELSET", "NEWSETELEM", "GETSETELEM", "DELSETELEM", "NEWGEN", "GETGEN", "TRACE",
  "NEWOBJ", "GETOBJ", "DELOBJ", "GETOBJ_RESET", "NEWFLOWTABLE", "GETFLOWTABLE", "DELFLOWTABLE",
];

const SOCK_DIAG: Record<number, string> = { 18: "TCPDIAG_GETSOCK", 19: "DCCPDIAG_GETSOCK", 20: "SOCK_DIAG_BY_FAMILY", 21: "SOCK_DESTROY" };
const CT = ["NEW", "GET", "DELETE", "GET_CTRZERO", "GET_STATS_CPU", "GET_STATS", "GET_DYING", "GET_UNCONFIRMED"];
const CTRL_CMDS = ["UNSPEC", "NEWFAMILY", "DELFAMILY", "GETFAMILY", "NEWOPS", "DELOPS", "GETOPS", "NEWMCAST_GRP", "DELMCAST_GRP", "GETMCAST_GRP", "GETPOLICY"];

/** "RTM_NEWLINK REQUEST|ACK|EXCL|CREATE": flag bits 0x100-0x800 mean different things per verb. */
function describe(m: Buffer, netfilter: boolean, sockDiag = false, genl = false): string {
  const { type, flags } = hdr(m);
  let name: string;
  let verb: "get" | "new" | "del" | "batch";
  if (genl) {
    // a generic netlink family's id is handed out at run time: only nlctrl's (0x10) is fixed
    const cmd = m.length > 16 ? m[16]! : 0;
    name = type === 0x10 ? `CTRL_CMD_${CTRL_CMDS[cmd] ?? cmd}` : `genl family 0x${type.toString(16)} cmd ${cmd}`;
    // genl requests use NLM_F_ROOT|MATCH (a dump) and none of the NEW/DEL bits
    verb = "get";
  } else if (sockDiag) {
    name = SOCK_DIAG[type] ?? `type ${type}`;
    verb = type === 21 ? "del" : "get";
  } else if (netfilter) {
    if (type === 0x10 || type === 0x11) {
      name = type === 0x10 ? "NFNL_MSG_BATCH_BEGIN" : "NFNL_MSG_BATCH_END";
      verb = "batch";
    } else {
      const n = NFT[type & 0xff] ?? String(type & 0xff);
      const ct = CT[type & 0xff];
      name = type >> 8 === 10 ? `NFT_MSG_${n}` : type >> 8 === 1 && ct ? `IPCTNL_MSG_CT_${ct}` : `nfnl(${type >> 8},${type & 0xff})`;
      const v = type >> 8 === 1 ? ct ?? "" : n;
      verb = v.startsWith("GET") ? "get" : v.startsWith("DEL") ? "del" : "new";
    }
  } else {
    name = RTM[type] ?? `type ${type}`;
    verb = name.includes("GET") ? "get" : name.includes("DEL") ? "del" : "new";
  }
  const bits: [number, string][] = [[0x1, "REQUEST"], [0x2, "MULTI"], [0x4, "ACK"], [0x8, "ECHO"]];
  if (verb === "get") bits.push([0x100, "ROOT"], [0x200, "MATCH"], [0x400, "ATOMIC"]);
  else if (verb === "del") bits.push([0x100, "NONREC"], [0x200, "BULK"]);
  else bits.push([0x100, "REPLACE"], [0x200, "EXCL"], [0x400, "CREATE"], [0x800, "APPEND"]);
  const names = bits.filter(([b]) => flags & b).map(([, n]) => n);
  const rest = flags & ~bits.reduce((a, [b]) => a | b, 0);
  if (rest) names.push(`0x${rest.toString(16)}`);
  return `${name} ${names.join("|") || "0"}`;
}

function readOpt(dir: string, f: string): string | undefined {
  const p = join(dir, f);
  return existsSync(p) ? readFileSync(p, "utf8") : undefined;
}

function convert(dir: string): { group: string; name: string; fixture: Record<string, unknown> } {
  const base = dir.split("/").pop()!;
  const [group, name] = base.split("__") as [string, string];
  const calls = parseTrace(readFileSync(join(dir, "trace"), "utf8")).filter((c) => c.netlink && !c.peek && c.ret > 0);
  const requests: Buffer[] = [];
  const replies: Buffer[] = [];
  const dropped: string[] = [];
  const droppedSeqs = new Set<number>();
  for (const c of calls) {
    if (c.call === "sendmsg" || c.call === "sendto") {
      const msgs = splitMessages(c.bytes, (n) =>
        dropped.push(`${n} zero bytes that followed the message in the same ${c.call} (${c.bytes.length} bytes sent, nlmsg_len ${c.bytes.readUInt32LE(0)}); the kernel ignores them`),
      );
      for (const m of msgs) {
        if (isNewlinkProbe(m)) {
          dropped.push("the RTM_NEWLINK support probe (seq 0, empty ifinfomsg) and its ENODEV reply");
          droppedSeqs.add(0);
          continue;
        }
        requests.push(m);
      }
    } else {
      const msgs = splitMessages(c.bytes);
      const keptSeqs = new Set(requests.map((r) => hdr(r).seq));
      if (msgs.every((m) => droppedSeqs.has(hdr(m).seq) && !keptSeqs.has(hdr(m).seq))) continue;
      replies.push(c.bytes);
    }
  }
  const command = readFileSync(join(dir, "command"), "utf8").trim();
  const setupText = readOpt(dir, "setup") ?? "";
  const stdout = readFileSync(join(dir, "stdout"), "utf8");
  const stderr = readOpt(dir, "stderr") ?? "";
  const rc = Number((readOpt(dir, "rc") ?? "0").trim());
  const notes: string[] = [];
  const userNotes = readOpt(dir, "notes")?.trim();
  if (userNotes) notes.push(userNotes);
  const nf = command.startsWith("nft") || /(^|\s)conntrack\s/.test(command);
  const sd = command.startsWith("ss");
  const genl = /^(genl|ethtool)\b/.test(command);
  if (requests.length) notes.push(`Requests: ${requests.map((r, i) => `[${i}] ${describe(r, nf, sd, genl)}`).join("; ")}.`);
  for (const d of new Set(dropped)) notes.push(`Dropped from requests/replies: ${d}.`);
  if (rc !== 0) notes.push(`The command exited ${rc}.`);
  const fixture: Record<string, unknown> = {
    name,
    command,
    setup: setupText.split("\n").map((s) => s.trim()).filter(Boolean),
  };
  const input = readOpt(dir, "input");
  if (input !== undefined) fixture.input = input;
  const actions = readOpt(dir, "actions");
  if (actions !== undefined) fixture.actions = actions.split("\n").map((s) => s.trim()).filter(Boolean);
  fixture.requests = requests.map((b) => b.toString("hex"));
  fixture.replies = replies.map((b) => b.toString("hex"));
  fixture.output = stdout;
  if ((readOpt(dir, "json") ?? "").trim() === "1") {
    try {
      fixture.json = JSON.parse(stdout);
    } catch (e) {
      throw new Error(`${group}/${name}: stdout is not JSON: ${(e as Error).message}`);
    }
  }
  if (stderr) fixture.stderr = stderr;
  fixture.exitCode = rc;
  fixture.kernel = readFileSync(join(dir, "kernel"), "utf8").trim();
  fixture.tool = readFileSync(join(dir, "tool"), "utf8").trim();
  fixture.notes = notes.join(" ");
  // a listener (conntrack -E) only binds to its groups: its capture is the events it received
  if (requests.length === 0 && !/conntrack -E/.test(command)) throw new Error(`${group}/${name}: no netlink request captured`);
  return { group, name, fixture };
}

function main(): void {
  const [capDir, outRoot] = process.argv.slice(2);
  if (!capDir || !outRoot) throw new Error("usage: strace-to-fixture.ts <capture-dir> <fixtures-root>");
  const dirs = readdirSync(capDir).filter((d) => d.includes("__")).sort();
  const results = dirs.map((d) => convert(join(capDir, d)));
  // Regenerate groups from scratch: a fixture that is no longer captured must not linger.
  for (const g of new Set(results.map((r) => r.group))) {
    const gdir = join(outRoot, g);
    if (existsSync(gdir)) for (const f of readdirSync(gdir)) if (f.endsWith(".json")) rmSync(join(gdir, f));
    mkdirSync(gdir, { recursive: true });
  }
  for (const r of results) {
    const p = join(outRoot, r.group, `${r.name}.json`);
    writeFileSync(p, JSON.stringify(r.fixture, null, 2) + "\n");
    const f = r.fixture as { requests: string[]; replies: string[]; exitCode: number };
    console.log(`wrote ${p}  requests=${f.requests.length} replies=${f.replies.length} rc=${f.exitCode}`);
  }
}

main();
