// `ip link add ... type KIND ARGS`: each kind's words, as a table from ip's keyword to the
// library's option. A word a kind does not know is ip's "KIND: unknown command" (exit 1).
import * as fs from "node:fs";
import { Args, BOTH_NAME_AND_DEV, CliError, duplicate, ifnameArg, invalidArg, lladdrArg, parseUnsigned, UsageError } from "./grammar.js";

type Opts = Record<string, unknown>;
/** Reads the keyword's value (if any) from args and stores it in the kind's options. */
type Handler = (o: Opts, args: Args) => void;

const num = (key: string, what = key, max?: number): Handler => (o, a) => void (o[key] = parseUnsigned(a.value(), what, max));
const str = (key: string): Handler => (o, a) => void (o[key] = a.value());
const flag = (key: string, v: boolean): Handler => (o) => void (o[key] = v);
/** ip reads these switches as numbers (u8, or u32 for stp_state); any non-zero value turns them on. */
const onIfNonZero = (key: string, what: string, max = 0xff): Handler => (o, a) => {
  const w = a.value();
  if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(w)) invalidArg(w, `invalid ${what}`);
  const n = parseUnsigned(w, what, Number.MAX_SAFE_INTEGER);
  if (n > max) invalidArg(w, `invalid ${what}`);
  o[key] = n !== 0;
};
const oneOf = (key: string, values: readonly string[], what: string): Handler => (o, a) => {
  const w = a.value();
  if (!values.includes(w)) throw new CliError(`Error: argument "${w}" is wrong: ${what}`);
  o[key] = w;
};

interface KindGrammar {
  /** The LinkAddSpec key holding this kind's options. */
  optionsKey?: string;
  words: Record<string, Handler>;
  /** Checked after the words: ip's "missing ..." messages. */
  check?: (o: Opts) => void;
}

const vxlanWords: Record<string, Handler> = {
  id: num("id", "id", 0xffffff),
  vni: num("id", "id", 0xffffff),
  remote: str("remote"),
  group: str("group"),
  local: str("local"),
  dev: str("dev"),
  ttl: (o, a) => {
    const w = a.value();
    o.ttl = w === "auto" || w === "inherit" ? 0 : parseUnsigned(w, "ttl", 255);
  },
  hoplimit: num("ttl", "ttl", 255),
  tos: num("tos", "tos", 255),
  dstport: num("port", "dstport", 65535),
  learning: flag("learning", true),
  nolearning: flag("learning", false),
  ageing: num("ageing"),
  udpcsum: flag("udpCsum", true),
  noudpcsum: flag("udpCsum", false),
};

const tunnelWords: Record<string, Handler> = {
  local: str("local"),
  remote: str("remote"),
  ttl: (o, a) => {
    const w = a.value();
    o.ttl = w === "inherit" ? 0 : parseUnsigned(w, "ttl", 255);
  },
  tos: num("tos", "tos", 255),
  pmtudisc: flag("pmtudisc", true),
  nopmtudisc: flag("pmtudisc", false),
  dev: str("dev"),
  key: num("key"),
  ikey: num("ikey"),
  okey: num("okey"),
};

const macvlanWords: Record<string, Handler> = {
  mode: oneOf("mode", ["private", "vepa", "bridge", "passthru", "source"], 'mode must be one of "private", "vepa", "bridge", "passthru" or "source"'),
  nopromisc: flag("nopromisc", true),
  bcqueuelen: num("bcQueueLen", "bcqueuelen"),
};

export const KIND_GRAMMAR: Record<string, KindGrammar> = {
  veth: { words: {} },
  dummy: { words: {} },
  wireguard: { words: {} },
  bridge: {
    optionsKey: "bridge",
    words: {
      forward_delay: num("forwardDelay", "forward_delay"),
      hello_time: num("helloTime", "hello_time"),
      max_age: num("maxAge", "max_age"),
      ageing_time: num("ageingTime", "ageing_time"),
      stp_state: onIfNonZero("stp", "stp_state", 0xffffffff),
      priority: num("priority", "priority", 65535),
      vlan_filtering: onIfNonZero("vlanFiltering", "vlan_filtering"),
      vlan_protocol: oneOf("vlanProtocol", ["802.1Q", "802.1ad"], "invalid vlan_protocol"),
      vlan_default_pvid: num("vlanDefaultPvid", "vlan_default_pvid", 4094),
      group_fwd_mask: num("groupFwdMask", "group_fwd_mask", 65535),
      mcast_snooping: onIfNonZero("mcastSnooping", "mcast_snooping"),
    },
  },
  vxlan: {
    optionsKey: "vxlan",
    words: vxlanWords,
    check: (o) => {
      if (o.id === undefined) throw new CliError("vxlan: missing virtual network identifier");
    },
  },
  geneve: {
    optionsKey: "geneve",
    words: { id: vxlanWords.id!, vni: vxlanWords.vni!, remote: str("remote"), dstport: num("port", "dstport", 65535), ttl: num("ttl", "ttl", 255), tos: num("tos", "tos", 255) },
    check: (o) => {
      if (o.id === undefined) throw new CliError("geneve: missing virtual network identifier");
    },
  },
  macvlan: { optionsKey: "macvlan", words: macvlanWords },
  macvtap: { optionsKey: "macvtap", words: macvlanWords },
  vlan: {
    optionsKey: "vlan",
    words: { id: num("id", "id", 4094), protocol: oneOf("protocol", ["802.1Q", "802.1ad"], "invalid vlan protocol") },
    check: (o) => {
      if (o.id === undefined) throw new CliError("8021q: VLAN id must be specified");
    },
  },
  ipvlan: {
    optionsKey: "ipvlan",
    words: {
      mode: oneOf("mode", ["l2", "l3", "l3s"], 'mode must be "l2", "l3" or "l3s"'),
      bridge: (o) => void (o.flag = "bridge"),
      private: (o) => void (o.flag = "private"),
      vepa: (o) => void (o.flag = "vepa"),
    },
  },
  vrf: {
    optionsKey: "vrf",
    words: { table: num("table") },
    check: (o) => {
      if (o.table === undefined) throw new CliError("vrf: table must be given");
    },
  },
  bond: {
    optionsKey: "bond",
    words: {
      mode: str("mode"),
      miimon: num("miimon"),
      updelay: num("updelay"),
      downdelay: num("downdelay"),
      min_links: num("minLinks", "min_links"),
      xmit_hash_policy: str("xmitHashPolicy"),
      lacp_rate: str("lacpRate"),
      primary: str("primary"),
    },
  },
  gre: { optionsKey: "gre", words: tunnelWords },
  gretap: { optionsKey: "gretap", words: tunnelWords },
  ipip: { optionsKey: "ipip", words: tunnelWords },
};

/**
 * Parses the words after `type KIND` into the spec. Kinds nlkit has no grammar for take no words
 * and go to the kernel as a bare IFLA_INFO_KIND, which answers for itself ("Unknown device type").
 */
export function parseKindArgs(kind: string, args: Args, spec: Opts): void {
  const g = KIND_GRAMMAR[kind];
  const o: Opts = {};
  for (let w = args.shift(); w !== undefined; w = args.shift()) {
    if (kind === "veth" && w === "peer") return void (spec.peer = parsePeer(args));
    const h = g?.words[w];
    if (!h) throw new CliError(`${kind}: unknown command "${w}"?`);
    h(o, args);
  }
  g?.check?.(o);
  if (g?.optionsKey && Object.keys(o).length) spec[g.optionsKey] = o;
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
