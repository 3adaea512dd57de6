// `ip link add|set ... type KIND ARGS`: each kind's words, as a table from ip's keyword to the
// library's option. A word a kind does not know is ip's "KIND: unknown command" (exit 1). The
// same table gives `ip link help KIND` its usage text.
import * as fs from "node:fs";
import { parseDsfield } from "../rtnl/enums.js";
import { Args, BOTH_NAME_AND_DEV, CliError, duplicate, ifnameArg, invalidArg, lladdrArg, parseOnOff, parseUnsigned, UsageError } from "./grammar.js";

type Opts = Record<string, unknown>;

/** One keyword: how it reads its value (if any) into the kind's options, and what usage calls the value. */
interface Word {
  read: (o: Opts, args: Args) => void;
  /** The value's name in the usage text; absent for switches. */
  arg?: string;
}

const num = (key: string, what = key, max?: number, arg = "NUMBER"): Word => ({ arg, read: (o, a) => void (o[key] = parseUnsigned(a.value(), what, max)) });
const str = (key: string, arg: string): Word => ({ arg, read: (o, a) => void (o[key] = a.value()) });
const flag = (key: string, v: boolean): Word => ({ read: (o) => void (o[key] = v) });
/** ip reads these switches as numbers; any non-zero value turns them on. */
const onIfNonZero = (key: string, what: string, max = 0xff): Word => ({
  arg: "0|1",
  read: (o, a) => {
    const w = a.value();
    if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(w)) invalidArg(w, `invalid ${what}`);
    const n = parseUnsigned(w, what, Number.MAX_SAFE_INTEGER);
    if (n > max) invalidArg(w, `invalid ${what}`);
    o[key] = n !== 0;
  },
});
const onOff = (key: string, what: string): Word => ({ arg: "{ on | off }", read: (o, a) => void (o[key] = parseOnOff(a.value(), what)) });
const oneOf = (key: string, values: readonly string[], what: string): Word => ({
  arg: values.join("|"),
  read: (o, a) => {
    const w = a.value();
    if (!values.includes(w)) throw new CliError(`Error: argument "${w}" is wrong: ${what}`);
    o[key] = w;
  },
});
const custom = (arg: string | undefined, read: Word["read"]): Word => (arg === undefined ? { read } : { arg, read });

interface KindGrammar {
  /** The spec key holding this kind's options (LinkAddSpec, LinkSetOptions). */
  optionsKey?: string;
  words: Record<string, Word>;
  /** Checked after the words when creating a link: ip's "missing ..." messages. */
  check?: (o: Opts) => void;
  /** Printed on stderr when creating a link with these options (ip's advice). */
  warn?: (o: Opts) => string | undefined;
}

const vxlanWords: Record<string, Word> = {
  id: num("id", "id", 0xffffff, "VNI"),
  vni: num("id", "id", 0xffffff, "VNI"),
  remote: str("remote", "IP_ADDRESS"),
  group: str("group", "IP_ADDRESS"),
  local: str("local", "ADDR"),
  dev: str("dev", "PHYS_DEV"),
  ttl: custom("{ 1..255 | auto | inherit }", (o, a) => {
    const w = a.value();
    o.ttl = w === "inherit" ? "inherit" : w === "auto" ? 0 : parseUnsigned(w, "ttl", 255);
  }),
  hoplimit: num("ttl", "ttl", 255),
  tos: custom("{ TOS | inherit }", (o, a) => {
    const w = a.value();
    const tos = w === "inherit" ? 1 : parseDsfield(w);
    if (tos === undefined) invalidArg(w, "bad TOS value");
    o.tos = tos;
  }),
  df: { ...oneOf("df", ["unset", "set", "inherit"], "DF must be 'unset', 'set' or 'inherit'"), arg: "{ unset | set | inherit }" },
  flowlabel: num("label", "flowlabel", 0xfffff, "LABEL"),
  dstport: num("port", "dstport", 65535, "PORT"),
  srcport: custom("MIN MAX", (o, a) => {
    const low = parseUnsigned(a.value(), "min port", 65535);
    const high = parseUnsigned(a.value(), "max port", 65535);
    if (low || high) o.portRange = { low, high };
  }),
  learning: flag("learning", true),
  nolearning: flag("learning", false),
  proxy: flag("proxy", true),
  noproxy: flag("proxy", false),
  rsc: flag("rsc", true),
  norsc: flag("rsc", false),
  l2miss: flag("l2miss", true),
  nol2miss: flag("l2miss", false),
  l3miss: flag("l3miss", true),
  nol3miss: flag("l3miss", false),
  ageing: custom("SECONDS", (o, a) => {
    const w = a.value();
    o.ageing = w === "none" ? 0 : parseUnsigned(w, "ageing");
  }),
  maxaddress: custom("NUMBER", (o, a) => {
    const w = a.value();
    o.limit = w === "unlimited" ? 0 : parseUnsigned(w, "maxaddress");
  }),
  udpcsum: flag("udpCsum", true),
  noudpcsum: flag("udpCsum", false),
  udp6zerocsumtx: flag("udp6ZeroCsumTx", true),
  noudp6zerocsumtx: flag("udp6ZeroCsumTx", false),
  udp6zerocsumrx: flag("udp6ZeroCsumRx", true),
  noudp6zerocsumrx: flag("udp6ZeroCsumRx", false),
  remcsumtx: flag("remcsumTx", true),
  noremcsumtx: flag("remcsumTx", false),
  remcsumrx: flag("remcsumRx", true),
  noremcsumrx: flag("remcsumRx", false),
  external: flag("external", true),
  noexternal: flag("external", false),
  gbp: flag("gbp", true),
  gpe: flag("gpe", true),
  vnifilter: flag("vnifilter", true),
  novnifilter: flag("vnifilter", false),
};

const tunnelWords: Record<string, Word> = {
  local: str("local", "ADDR"),
  remote: str("remote", "ADDR"),
  ttl: custom("{ 1..255 | inherit }", (o, a) => {
    const w = a.value();
    o.ttl = w === "inherit" ? 0 : parseUnsigned(w, "ttl", 255);
  }),
  tos: num("tos", "tos", 255, "TOS"),
  pmtudisc: flag("pmtudisc", true),
  nopmtudisc: flag("pmtudisc", false),
  dev: str("dev", "PHYS_DEV"),
  key: num("key", "key", undefined, "KEY"),
  ikey: num("ikey", "ikey", undefined, "KEY"),
  okey: num("okey", "okey", undefined, "KEY"),
};

const macvlanWords: Record<string, Word> = {
  mode: oneOf("mode", ["private", "vepa", "bridge", "passthru", "source"], 'mode must be one of "private", "vepa", "bridge", "passthru" or "source"'),
  nopromisc: flag("nopromisc", true),
  bcqueuelen: num("bcQueueLen", "bcqueuelen", undefined, "BC_QUEUE_LEN"),
};

export const KIND_GRAMMAR: Record<string, KindGrammar> = {
  veth: { words: {} },
  dummy: { words: {} },
  wireguard: { words: {} },
  bridge: {
    optionsKey: "bridge",
    words: {
      forward_delay: num("forwardDelay", "forward_delay", undefined, "FORWARD_DELAY"),
      hello_time: num("helloTime", "hello_time", undefined, "HELLO_TIME"),
      max_age: num("maxAge", "max_age", undefined, "MAX_AGE"),
      ageing_time: num("ageingTime", "ageing_time", undefined, "AGEING_TIME"),
      stp_state: custom("STP_STATE", (o, a) => {
        const w = a.value();
        if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(w)) invalidArg(w, "invalid stp_state");
        const n = parseUnsigned(w, "stp_state", Number.MAX_SAFE_INTEGER);
        if (n > 0xffffffff) invalidArg(w, "invalid stp_state");
        o.stpState = n;
      }),
      priority: num("priority", "priority", 65535, "PRIORITY"),
      vlan_filtering: onIfNonZero("vlanFiltering", "vlan_filtering"),
      vlan_protocol: oneOf("vlanProtocol", ["802.1Q", "802.1ad"], "invalid vlan_protocol"),
      vlan_default_pvid: num("vlanDefaultPvid", "vlan_default_pvid", 4094, "VLAN_DEFAULT_PVID"),
      group_fwd_mask: num("groupFwdMask", "group_fwd_mask", 65535, "MASK"),
      mcast_snooping: onIfNonZero("mcastSnooping", "mcast_snooping"),
    },
  },
  bridge_slave: {
    optionsKey: "bridgeSlave",
    words: {
      fdb_flush: flag("fdbFlush", true),
      state: num("state", "state", 255, "STATE"),
      priority: num("priority", "priority", 65535, "PRIO"),
      cost: num("cost", "cost", undefined, "COST"),
      guard: onOff("guard", "guard"),
      hairpin: onOff("hairpin", "hairpin"),
      fastleave: onOff("fastLeave", "fastleave"),
      root_block: onOff("rootBlock", "root_block"),
      learning: onOff("learning", "learning"),
      flood: onOff("flood", "flood"),
      proxy_arp: onOff("proxyArp", "proxy_arp"),
      proxy_arp_wifi: onOff("proxyArpWifi", "proxy_arp_wifi"),
      mcast_router: num("mcastRouter", "mcast_router", 255, "MULTICAST_ROUTER"),
      mcast_fast_leave: onOff("fastLeave", "mcast_fast_leave"),
      mcast_flood: onOff("mcastFlood", "mcast_flood"),
      bcast_flood: onOff("bcastFlood", "bcast_flood"),
      mcast_to_unicast: onOff("mcastToUnicast", "mcast_to_unicast"),
      group_fwd_mask: num("groupFwdMask", "group_fwd_mask", 65535, "MASK"),
      neigh_suppress: onOff("neighSuppress", "neigh_suppress"),
      vlan_tunnel: onOff("vlanTunnel", "vlan_tunnel"),
      isolated: onOff("isolated", "isolated"),
      locked: onOff("locked", "locked"),
      backup_port: str("backupPort", "DEVICE"),
      nobackup_port: custom(undefined, (o) => void (o.backupPort = null)),
    },
  },
  vxlan: {
    optionsKey: "vxlan",
    words: vxlanWords,
    check: (o) => {
      if (o.id === undefined && !o.external) throw new CliError("vxlan: missing virtual network identifier");
    },
    warn: (o) => (o.port === undefined && !o.gpe
      ? "vxlan: destination port not specified\nWill use Linux kernel default (non-standard value)\n" +
        "Use 'dstport 4789' to get the IANA assigned value\nUse 'dstport 0' to get default and quiet this message\n"
      : undefined),
  },
  geneve: {
    optionsKey: "geneve",
    words: {
      id: vxlanWords.id!, vni: vxlanWords.vni!, remote: str("remote", "ADDR"), dstport: num("port", "dstport", 65535, "PORT"),
      ttl: num("ttl", "ttl", 255, "TTL"), tos: num("tos", "tos", 255, "TOS"),
    },
    check: (o) => {
      if (o.id === undefined) throw new CliError("geneve: missing virtual network identifier");
    },
  },
  macvlan: { optionsKey: "macvlan", words: macvlanWords },
  macvtap: { optionsKey: "macvtap", words: macvlanWords },
  vlan: {
    optionsKey: "vlan",
    words: { id: num("id", "id", 4094, "VLANID"), protocol: oneOf("protocol", ["802.1Q", "802.1ad"], "invalid vlan protocol") },
    check: (o) => {
      if (o.id === undefined) throw new CliError("8021q: VLAN id must be specified");
    },
  },
  ipvlan: {
    optionsKey: "ipvlan",
    words: {
      mode: oneOf("mode", ["l2", "l3", "l3s"], 'mode must be "l2", "l3" or "l3s"'),
      bridge: custom(undefined, (o) => void (o.flag = "bridge")),
      private: custom(undefined, (o) => void (o.flag = "private")),
      vepa: custom(undefined, (o) => void (o.flag = "vepa")),
    },
  },
  vrf: {
    optionsKey: "vrf",
    words: { table: num("table", "table", undefined, "TABLEID") },
    check: (o) => {
      if (o.table === undefined) throw new CliError("vrf: table must be given");
    },
  },
  bond: {
    optionsKey: "bond",
    words: {
      mode: str("mode", "BONDMODE"),
      miimon: num("miimon", "miimon", undefined, "MIIMON"),
      updelay: num("updelay", "updelay", undefined, "UPDELAY"),
      downdelay: num("downdelay", "downdelay", undefined, "DOWNDELAY"),
      min_links: num("minLinks", "min_links", undefined, "MIN_LINKS"),
      xmit_hash_policy: str("xmitHashPolicy", "XMIT_HASH_POLICY"),
      lacp_rate: str("lacpRate", "LACP_RATE"),
      primary: str("primary", "SLAVE_DEV"),
    },
  },
  gre: { optionsKey: "gre", words: tunnelWords },
  gretap: { optionsKey: "gretap", words: tunnelWords },
  ipip: { optionsKey: "ipip", words: tunnelWords },
};

const LINK_HELP_HINT = 'Try "nlkit link help".';

/** Kinds whose options nlkit can change on an existing link (`link set DEV type KIND ...`). */
const CHANGEABLE = new Set(["vxlan", "bridge", "bridge_slave", "macvlan", "macvtap", "bond"]);

/**
 * Parses the words after `type KIND` into the spec. Kinds nlkit has no grammar for take no words
 * and go to the kernel as a bare IFLA_INFO_KIND, which answers for itself ("Unknown device type").
 * When changing an existing link (`set`), nothing is required and no defaults are assumed.
 */
export function parseKindArgs(kind: string, args: Args, spec: Opts, mode: "add" | "set" = "add"): void {
  const g = KIND_GRAMMAR[kind];
  const o: Opts = {};
  for (let w = args.shift(); w !== undefined; w = args.shift()) {
    if (kind === "veth" && w === "peer" && mode === "add") return void (spec.peer = parsePeer(args));
    const h = g?.words[w];
    if (!h) {
      if (w === "help") throw new CliError(kindUsage(kind) ?? LINK_HELP_HINT);
      if (!g) throw new CliError(`Garbage instead of arguments "${w} ...". ${LINK_HELP_HINT}`);
      throw new CliError(kind.endsWith("_slave") ? `${kind}: unknown option "${w}"?` : `${kind}: unknown command "${w}"?`);
    }
    h.read(o, args);
  }
  if (mode === "add") {
    g?.check?.(o);
    const warning = g?.warn?.(o);
    if (warning) process.stderr.write(warning);
  } else if (Object.keys(o).length && !CHANGEABLE.has(kind)) {
    throw new CliError(`nlkit link set: changing the options of an existing ${kind} link is not supported`);
  }
  if (g?.optionsKey && (Object.keys(o).length || (mode === "set" && CHANGEABLE.has(kind)))) spec[g.optionsKey] = o;
}

/** `ip link help KIND`: the kind's words, from the same table the parser reads; undefined for a kind nlkit does not know. */
export function kindUsage(kind: string): string | undefined {
  if (kind === "veth") return "Usage: nlkit link <options> type veth [ peer <options> ]\nTo get <options> type 'nlkit link add help'";
  const g = KIND_GRAMMAR[kind];
  if (!g) return undefined;
  // a switch and its "no" form print once, as [ [no]switch ]
  const words = Object.entries(g.words)
    .filter(([w, h]) => !(h.arg === undefined && w.startsWith("no") && g.words[w.slice(2)]?.arg === undefined && g.words[w.slice(2)] !== undefined))
    .map(([w, h]) => {
      if (h.arg !== undefined) return `[ ${w} ${h.arg} ]`;
      return g.words[`no${w}`] !== undefined ? `[ [no]${w} ]` : `[ ${w} ]`;
    });
  if (!words.length) return `Usage: ... ${kind}`;
  const indent = " ".repeat(`Usage: ... ${kind} `.length);
  return `Usage: ... ${kind} ${words[0]}` + words.slice(1).map((w) => `\n${indent}${w}`).join("");
}

/** `peer [name] NAME [address A] [mtu N] [txqueuelen N] [netns NS] [index N]`, read as ip reads a link add. */
function parsePeer(args: Args): Opts {
  const peer: Opts = {};
  let name: string | undefined;
  let dev: string | undefined;
  for (let w = args.shift(); w !== undefined; w = args.shift()) {
    if (w === "name") name = ifnameArg(args.value(), "name");
    else if (w === "address") peer.address = lladdrArg(args.value());
    else if (w === "mtu") peer.mtu = parseUnsigned(args.value(), "mtu");
    else if (w === "txqueuelen" || w === "qlen" || w === "txqlen") peer.txqueuelen = parseUnsigned(args.value(), "txqueuelen");
    else if (w === "netns") peer.netns = netnsArg(args.value());
    else if (w === "index") peer.index = parseUnsigned(args.value(), "index");
    else {
      if (w === "dev") w = args.value();
      if (dev !== undefined) duplicate("dev", w);
      dev = ifnameArg(w, "dev");
    }
  }
  if (name !== undefined && dev !== undefined && name !== dev) throw new UsageError(BOTH_NAME_AND_DEV);
  const n = name ?? dev;
  if (n !== undefined) peer.name = n;
  return peer;
}

/** ip takes a namespace name, a path to a namespace file (it has a '/') or a process id. */
export function netnsArg(text: string): string | { netnsPid: number } | { netnsPath: string } {
  if (/^[0-9]+$/.test(text)) return { netnsPid: Number(text) };
  const isPath = text.includes("/");
  if (!fs.existsSync(isPath ? text : `/run/netns/${text}`)) invalidArg(text, 'Invalid "netns" value\n');
  return isPath ? { netnsPath: text } : text;
}
