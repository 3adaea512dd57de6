// Codec microbenchmarks: encode/decode of link, address and route messages per second (golden
// dump fixtures: real kernel bytes), decode of a 2001-link dump captured from 1000 veth pairs in a
// throwaway namespace, and the RTM_GETLINK-of-lo round trip. Needs root for the live parts
// (skipped otherwise).
//
//   npx tsx bench/codec.ts [--json] [--quick]
//   node --cpu-prof --import tsx bench/codec.ts --only dump2001     (profile one case)
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  constants, decodeStruct, encodeAttrs, encodeStruct, forEachMessage, netns, NetlinkSocket, NlWriter, Rtnl,
} from "../src/index.js";
import { linkAttrs } from "../src/rtnl/link/attrs.js";
import { decodeLink, decodeLinkRetaining } from "../src/rtnl/link/decode.js";
import { decodeLinkFields, linkFieldPlan } from "../src/rtnl/link/fields.js";
import { ifaddrmsg, ifinfomsg, rtmsg } from "../src/rtnl/headers.js";
// the message decoders the verbs use (bench/peer.ts, unlike this file, uses only the public API)
import { decodeAddr } from "../src/rtnl/addr/verbs.js";
import { decodeRoute } from "../src/rtnl/route/verbs.js";


const args = process.argv.slice(2);
const json = args.includes("--json");
const quick = args.includes("--quick");
const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : undefined;
const MIN_MS = quick ? 150 : 600;

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const RTM_NEWLINK = 16, RTM_NEWADDR = 20, RTM_NEWROUTE = 24, RTM_GETLINK = 18;

interface Msg { buf: Buffer; start: number; len: number }
function fixtureMessages(name: string, type: number): Msg[] {
  const raw = JSON.parse(readFileSync(join(ROOT, "test/fixtures/golden/dump", `${name}.json`), "utf8")) as { replies: string[] };
  const out: Msg[] = [];
  for (const hex of raw.replies) {
    const buf = Buffer.from(hex, "hex");
    forEachMessage(buf, buf.length, (start, len) => { if (buf.readUInt16LE(start + 4) === type) out.push({ buf, start, len }); });
  }
  return out;
}

interface Row { name: string; unit: string; perSec: number; usPer: number; note?: string }
const rows: Row[] = [];

/** Runs fn (which does `items` units of work) until MIN_MS have passed, 5 times; keeps the best. */
function bench(name: string, unit: string, items: number, fn: () => void, note?: string): void {
  if (only && !name.includes(only)) return;
  const perRound: number[] = [];
  for (let k = 0; k < 200; k++) fn(); // warm up the JIT
  for (let r = 0; r < 5; r++) {
    let n = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < MIN_MS / 5) { fn(); n++; t = performance.now(); }
    perRound.push((t - t0) / n / items);
  }
  perRound.sort((a, b) => a - b);
  const ms = perRound[Math.floor(perRound.length / 2)]!;
  rows.push({ name, unit, perSec: 1000 / ms, usPer: ms * 1000, ...(note ? { note } : {}) });
}

// --- decode and encode from the golden fixtures ---------------------------------------------------
const links = fixtureMessages("link-show-all", RTM_NEWLINK);
const addrs = fixtureMessages("addr-show-all", RTM_NEWADDR);
const routes = fixtureMessages("route-show-all", RTM_NEWROUTE);
const names = new Map<number, string>([[1, "lo"]]);

let sink = 0;
bench("decode link (golden, mixed kinds)", "link", links.length, () => {
  for (const m of links) sink += decodeLink(m.buf, m.start, m.len).index;
}, `${links.length} links: bridge, vxlan, veth, lo`);
bench("decode address (golden)", "address", addrs.length, () => {
  for (const m of addrs) sink += (decodeAddr(m.buf, m.start, m.len)?.index ?? 0);
}, `${addrs.length} addresses`);
bench("decode route (golden)", "route", routes.length, () => {
  for (const m of routes) sink += decodeRoute(m.buf, m.start, m.len) ? 1 : 0;
}, `${routes.length} routes`);

// encode: header + attributes of the kind a verb writes (the writer is reused, as the socket does)
const w = new NlWriter(4096);
const vethAttrs = { ifname: "vethA1", linkinfo: { kind: "veth" } };
bench("encode link (veth add, via tables)", "msg", 1, () => {
  w.reset();
  const s = w.beginMessage(RTM_NEWLINK, 0x601, 1, 0);
  encodeStruct(w, ifinfomsg, { index: 0 });
  encodeAttrs(w, linkAttrs, vethAttrs);
  w.endMessage(s);
});
bench("encode address (ifaddrmsg + IFA_LOCAL/ADDRESS)", "msg", 1, () => {
  w.reset();
  const s = w.beginMessage(RTM_NEWADDR, 0x601, 1, 0);
  encodeStruct(w, ifaddrmsg, { family: 2, prefixlen: 24, index: 2 });
  w.attrU32(2, 0x0100000a);
  w.attrU32(1, 0x0100000a);
  w.endMessage(s);
});
bench("encode route (rtmsg + RTA_DST/GATEWAY)", "msg", 1, () => {
  w.reset();
  const s = w.beginMessage(RTM_NEWROUTE, 0x601, 1, 0);
  encodeStruct(w, rtmsg, { family: 2, dstLen: 32, table: 254, protocol: 3, type: 1 });
  w.attrU32(1, 0x0100c80a);
  w.attrU32(5, 0x0200c70a);
  w.endMessage(s);
});
bench("decode ifinfomsg header (struct)", "msg", 1, () => {
  const m = links[0]!;
  sink += decodeStruct(m.buf, m.start + 16, 16, ifinfomsg).index as number;
});

// --- live: a 2001-link dump and the lo round trip ---------------------------------------------------
const live = process.getuid?.() === 0;
if (live && (!only || only.includes("dump") || only.includes("lo"))) {
  const ns = `nlkit-bench-${process.pid}-codec`;
  await netns.add(ns);
  try {
    const rt = Rtnl.openSync({ netns: ns });
    const PAIRS = quick ? 200 : 1000;
    for (let s = 1; s <= PAIRS; s += 200) {
      const b = rt.batch();
      for (let i = s; i < s + 200 && i <= PAIRS; i++) void b.link.add({ name: `vethA${i}`, kind: "veth", peer: { name: `vethB${i}` } });
      const out = await b.send();
      if (out.errors.length) throw out.errors[0];
    }
    await rt.link.set("lo", { up: true });
    // one dump, kept as the datagrams' messages (copied out of the receive buffer)
    const sock = NetlinkSocket.open({ protocol: constants.NETLINK_ROUTE, netnsPath: `/run/netns/${ns}` });
    const dump = await sock.dump({ type: RTM_GETLINK, encode: (wr) => encodeStruct(wr, ifinfomsg, {}) },
      (buf, start, len) => Buffer.from(buf.subarray(start, start + len)));
    const n = dump.length;
    const bytes = dump.reduce((a, b) => a + b.length, 0);
    bench(`decode ${n}-link dump (veth pairs, in memory)`, "dump", 1, () => {
      for (const m of dump) sink += decodeLink(m, 0, m.length).index;
    }, `${n} links, ${(bytes / 1024).toFixed(0)} KiB`);
    bench(`decode ${n}-link dump, per link`, "link", n, () => {
      for (const m of dump) sink += decodeLink(m, 0, m.length).index;
    });
    const plan = linkFieldPlan(["mtu", "operstate"]);
    bench(`decode ${n}-link dump, fields mtu+operstate, per link`, "link", n, () => {
      for (const m of dump) sink += decodeLinkFields(plan, m, 0, m.length).index as number;
    });
    // what rt.link.list() and list({ fields }) run (dumpSync: bench() times synchronous work)
    const getLinks = { type: RTM_GETLINK, encode: (wr: NlWriter) => encodeStruct(wr, ifinfomsg, {}) };
    bench(`rt.link.list() of ${n} links (dump + decode)`, "dump", 1, () => {
      sink += rt.socket.dumpSync(getLinks, decodeLinkRetaining).length;
    });
    bench(`rt.link.list({ fields: [mtu, operstate] }) of ${n} links (dump + decode)`, "dump", 1, () => {
      sink += rt.socket.dumpSync(getLinks, (buf, start, len) => decodeLinkFields(plan, buf, start, len)).length;
    });
    bench(`raw dump of ${n} links (no decoding)`, "dump", 1, () => {
      sink += rt.socket.dumpSync(getLinks, () => 0).length;
    });
    bench("RTM_GETLINK lo round trip (requestSync, index only)", "request", 1, () => {
      sink += sock.requestSync({ type: RTM_GETLINK, reply: true, encode: (wr) => encodeStruct(wr, ifinfomsg, { index: 1 }) },
        (buf, start) => buf.readInt32LE(start + 20))[0]!;
    });
    bench("RTM_GETLINK lo round trip (decodeLink)", "request", 1, () => {
      sink += sock.requestSync({ type: RTM_GETLINK, reply: true, encode: (wr) => encodeStruct(wr, ifinfomsg, { index: 1 }) },
        decodeLink)[0]!.index;
    });
    sock.close();
    rt.close();
  } finally {
    await netns.del(ns);
  }
}

if (json) {
  process.stdout.write(JSON.stringify(rows, null, 1) + "\n");
} else {
  for (const r of rows) {
    console.log(`${r.name.padEnd(52)} ${r.perSec.toFixed(0).padStart(10)} ${r.unit}/s ${r.usPer.toFixed(2).padStart(9)} us/${r.unit}${r.note ? `  (${r.note})` : ""}`);
  }
}
if (sink === 0.5) console.error("!");
