// Every public decoder, and what is built on their results (ip -j mappers, the nft renderer,
// JSON), as fuzz targets. A target decodes one message and hands back everything it produced;
// the runner then reads every property of it (lazily decoded parts included) and serialises it.
// Anything thrown on the way other than NetlinkParseError is a finding.
import { decodeAttrs, describeAttrAt, forEachAttr } from "../../src/netlink/attrs.js";
import { decodeMessage, parseErrorPayload, type MessageDef } from "../../src/netlink/message.js";
import { decodeStruct } from "../../src/netlink/struct.js";
import { decodeNsid, nsidMessage } from "../../src/netns/nsid.js";
import { ifaddrDef } from "../../src/rtnl/addr/table.js";
import { decodeAddr } from "../../src/rtnl/addr/verbs.js";
import { addrToIpJson } from "../../src/rtnl/json/addr.js";
import { fdbToBridgeJson, neighToIpJson } from "../../src/rtnl/json/neigh.js";
import { routeToIpJson } from "../../src/rtnl/json/route.js";
import { ruleToIpJson } from "../../src/rtnl/json/rule.js";
import { linkMessage } from "../../src/rtnl/link/attrs.js";
import { decodeLink, decodeLinkRetaining } from "../../src/rtnl/link/decode.js";
import { decodeLinkFields, linkFieldPlan, LINK_FIELDS } from "../../src/rtnl/link/fields.js";
import { linksToIpJson, linkToIpJson } from "../../src/rtnl/link/json.js";
import type { Link } from "../../src/rtnl/link/types.js";
import { ndmsgDef } from "../../src/rtnl/neigh/table.js";
import { decodeNeigh } from "../../src/rtnl/neigh/verbs.js";
import { rtmsgDef } from "../../src/rtnl/route/table.js";
import { decodeRoute } from "../../src/rtnl/route/verbs.js";
import { fibRuleDef } from "../../src/rtnl/rule/table.js";
import { decodeRule } from "../../src/rtnl/rule/verbs.js";
import { chainMsg, genMsg, ruleMsg, setElemMsg, setMsg, tableMsg } from "../../src/nft/attrs.js";
import { renderExpressions } from "../../src/nft/render.js";
import { assembleRuleset, decodeNftMessage, renderRuleset, type RulesetMessages } from "../../src/nft/ruleset.js";
import type { Rng } from "./rng.js";

/** What a target gets: the step runner, and what it may combine the message with. */
export interface TargetContext {
  rng: Rng;
  /**
   * Runs one function of the library (a decoder, a mapper) and checks its result: every property
   * read, then serialised. Returns the result, or undefined when the function threw.
   */
  step<T>(label: string, fn: () => T): T | undefined;
  /** ifindex -> name, as the verbs pass to the rtnl decoders. */
  names: ReadonlyMap<number, string>;
  /** Links decoded so far in this case (the mappers name devices from them). */
  links: Map<number, Link>;
  /** The corpus ruleset's messages, decoded: a mutated nft message is assembled among them. */
  ruleset: RulesetMessages;
}

export interface Target {
  name: string;
  /** The message types it is meant for; a case also feeds one other target whatever the type. */
  accepts(type: number): boolean;
  /** Decodes the message at [start, start + len) through ctx.step. */
  run(buf: Buffer, start: number, len: number, ctx: TargetContext): void;
}

const NLMSG_ERROR = 2, NLMSG_DONE = 3;
const between = (lo: number, hi: number) => (t: number) => t >= lo && t <= hi;
const isNft = (t: number) => t >> 8 === 10;

const NFT_DEFS: Record<number, MessageDef> = { 0: tableMsg, 3: chainMsg, 6: ruleMsg, 9: setMsg, 12: setElemMsg, 15: genMsg };

/** The family table of a message type, for the generic decoders. */
function defOf(type: number): MessageDef | undefined {
  if (between(16, 19)(type)) return linkMessage;
  if (between(20, 23)(type)) return ifaddrDef;
  if (between(24, 27)(type)) return rtmsgDef;
  if (between(28, 31)(type)) return ndmsgDef;
  if (between(32, 35)(type)) return fibRuleDef;
  if (between(88, 90)(type)) return nsidMessage;
  if (isNft(type)) return NFT_DEFS[type & 0xff];
  return undefined;
}

const ALL_FIELDS = linkFieldPlan(LINK_FIELDS);
const FEW_FIELDS = linkFieldPlan(["name", "mtu", "operstate", "kind", "master", "altNames"]);

function rememberLink(ctx: TargetContext, link: Link): void {
  if (ctx.links.size < 64) ctx.links.set(link.index, link);
}

const typeAt = (buf: Buffer, start: number) => (start >= 0 && buf.length >= start + 6 ? buf.readUInt16LE(start + 4) : -1);

export const TARGETS: readonly Target[] = [
  // --- the generic codec -----------------------------------------------------------------
  {
    name: "codec.decodeMessage",
    accepts: (t) => defOf(t) !== undefined,
    run(buf, start, len, ctx) {
      const def = defOf(typeAt(buf, start)) ?? ctx.rng.pick([linkMessage, rtmsgDef, ruleMsg]);
      ctx.step("decodeMessage", () => decodeMessage(buf, start, len, def));
    },
  },
  {
    name: "codec.decodeAttrs",
    accepts: (t) => defOf(t) !== undefined,
    run(buf, start, len, ctx) {
      const def = defOf(typeAt(buf, start)) ?? linkMessage;
      // attributes from where the family header ends, or (as a caller may) from any offset
      const from = ctx.rng.chance(0.8) ? start + 16 + ((def.header.size + 3) & ~3) : start + ctx.rng.int(Math.max(1, len));
      ctx.step("decodeAttrs", () => decodeAttrs(buf, from, start + len, def.attrs));
      ctx.step("forEachAttr", () => {
        let n = 0;
        forEachAttr(buf, from, start + len, () => { n++; });
        return n;
      });
    },
  },
  {
    name: "codec.decodeStruct",
    accepts: (t) => defOf(t) !== undefined,
    run(buf, start, len, ctx) {
      const def = defOf(typeAt(buf, start)) ?? linkMessage;
      const slen = ctx.rng.chance(0.5) ? len - 16 : ctx.rng.int(def.header.size + 8);
      ctx.step("decodeStruct", () => decodeStruct(buf, start + 16, slen, def.header));
    },
  },
  {
    name: "codec.parseErrorPayload",
    accepts: (t) => t === NLMSG_ERROR || t === NLMSG_DONE,
    run(buf, start, len, ctx) {
      ctx.step("parseErrorPayload", () => parseErrorPayload(buf, start, len));
      const offset = start + ctx.rng.int(Math.max(1, len));
      ctx.step("describeAttrAt", () => describeAttrAt(buf, start + 16, start + len, linkMessage.attrs, offset));
    },
  },
  // --- links --------------------------------------------------------------------------------
  {
    name: "rtnl.decodeLink",
    accepts: between(16, 19),
    run(buf, start, len, ctx) {
      const link = ctx.step("decodeLink", () => decodeLink(buf, start, len));
      if (!link) return;
      rememberLink(ctx, link);
      ctx.step("linkToIpJson", () => linkToIpJson(link, ctx.links));
      ctx.step("linksToIpJson", () => linksToIpJson([...ctx.links.values()]));
    },
  },
  {
    name: "rtnl.decodeLinkRetaining",
    accepts: between(16, 19),
    run(buf, start, len, ctx) {
      // it keeps the buffer it is given: a private copy, as the socket hands it one
      const own = Buffer.from(buf);
      const link = ctx.step("decodeLinkRetaining", () => decodeLinkRetaining(own, start, len));
      if (link) ctx.step("linkToIpJson", () => linkToIpJson(link, (i) => ctx.names.get(i)));
    },
  },
  {
    name: "rtnl.decodeLinkFields",
    accepts: between(16, 19),
    run(buf, start, len, ctx) {
      const plan = ctx.rng.chance(0.5) ? ALL_FIELDS : FEW_FIELDS;
      ctx.step("decodeLinkFields", () => decodeLinkFields(plan, buf, start, len));
    },
  },
  // --- addresses, routes, neighbours, rules, nsids ------------------------------------------
  {
    name: "rtnl.decodeAddr",
    accepts: between(20, 23),
    run(buf, start, len, ctx) {
      const a = ctx.step("decodeAddr", () => decodeAddr(buf, start, len));
      if (a) ctx.step("addrToIpJson", () => addrToIpJson(a));
    },
  },
  {
    name: "rtnl.decodeRoute",
    accepts: between(24, 27),
    run(buf, start, len, ctx) {
      const r = ctx.step("decodeRoute", () => decodeRoute(buf, start, len));
      if (!r) return;
      ctx.step("routeToIpJson", () => routeToIpJson(r));
      const table = ctx.rng.chance(0.5);
      ctx.step("routeToIpJson -d", () => routeToIpJson(r, { details: true, filtered: { table } }));
    },
  },
  {
    name: "rtnl.decodeNeigh",
    accepts: between(28, 31),
    run(buf, start, len, ctx) {
      const n = ctx.step("decodeNeigh", () => decodeNeigh(buf, start, len));
      if (!n) return;
      ctx.step("neighToIpJson", () => neighToIpJson(n));
      ctx.step("fdbToBridgeJson", () => fdbToBridgeJson(n));
    },
  },
  {
    name: "rtnl.decodeRule",
    accepts: between(32, 35),
    run(buf, start, len, ctx) {
      const r = ctx.step("decodeRule", () => decodeRule(buf, start, len));
      if (!r) return;
      ctx.step("ruleToIpJson", () => ruleToIpJson(r));
      ctx.step("ruleToIpJson -d", () => ruleToIpJson(r, { details: true }));
    },
  },
  {
    name: "netns.decodeNsid",
    accepts: between(88, 90),
    run(buf, start, len, ctx) {
      ctx.step("decodeNsid", () => decodeNsid(buf, start, len));
    },
  },
  // --- nftables -------------------------------------------------------------------------------
  {
    name: "nft.decodeNftMessage",
    accepts: isNft,
    run(buf, start, len, ctx) {
      const d = ctx.step("decodeNftMessage", () => decodeNftMessage(buf, start, len));
      if (!d) return;
      // the mutated message takes the place of one of its kind in a real ruleset
      const parts: RulesetMessages = { ...ctx.ruleset };
      const list = [...(parts[d.kind] ?? [])];
      if (list.length && ctx.rng.chance(0.7)) list[ctx.rng.int(list.length)] = d.msg;
      else list.push(d.msg);
      parts[d.kind] = list;
      const rs = ctx.step("assembleRuleset", () => assembleRuleset(parts));
      if (rs) ctx.step("renderRuleset", () => renderRuleset(rs));
      const exprs = d.msg.attrs.expressions;
      if (Array.isArray(exprs)) {
        const family = ctx.rng.pick(["ip", "ip6", "inet", "bridge", "netdev", "arp"] as const);
        ctx.step("renderExpressions", () => renderExpressions(exprs, { family }));
      }
    },
  },
];
