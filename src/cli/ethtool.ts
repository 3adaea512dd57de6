// nlkit [-n NS] ethtool [--json] { DEV | -k DEV | -K DEV FEATURE on|off... | -l DEV | -L DEV [rx N] [tx N] [other N] [combined N] | -T DEV | -S DEV }
// with ethtool 6.1's words, output and exit statuses, over ethtool netlink (-S over the ioctls
// ethtool itself uses for driver statistics).
import { Ethtool, FeatureChangeError, featuresToEthtoolJson, type ChannelsSpec } from "../ethtool/index.js";
import { NetlinkError, NlkitInputError } from "../netlink/errors.js";
import { errnoMessage } from "../syscalls/errno.js";
import { SyscallError } from "../syscalls/errors.js";
import type { Cli } from "./context.js";
import type { Args } from "./grammar.js";
import { formatJson } from "./print/json.js";
import { channelsText, featureChangesText, featuresText, settingsText, tsinfoText, type Settings } from "./print/ethtool.js";

export const ETHTOOL_USAGE = `Usage: nlkit [-n NS] ethtool [ --json ] DEVNAME      Display standard information about device
       nlkit ethtool [ --json ] -k|--show-features|--show-offload DEVNAME
       nlkit ethtool -K|--features|--offload DEVNAME FEATURE on|off ...
       nlkit ethtool -l|--show-channels DEVNAME
       nlkit ethtool -L|--set-channels DEVNAME [ rx N ] [ tx N ] [ other N ] [ combined N ]
       nlkit ethtool -T|--show-time-stamping DEVNAME
       nlkit ethtool -S|--statistics DEVNAME`;

const BAD_ARGS = "ethtool: bad command line argument(s)\nFor more information run nlkit ethtool -h\n";

type Mode = "settings" | "showFeatures" | "setFeatures" | "showChannels" | "setChannels" | "showTsinfo" | "showStats";

const MODES: Record<string, Mode> = {
  "-k": "showFeatures", "--show-features": "showFeatures", "--show-offload": "showFeatures",
  "-K": "setFeatures", "--features": "setFeatures", "--offload": "setFeatures",
  "-l": "showChannels", "--show-channels": "showChannels",
  "-L": "setChannels", "--set-channels": "setChannels",
  "-T": "showTsinfo", "--show-time-stamping": "showTsinfo",
  "-S": "showStats", "--statistics": "showStats",
};

/** Where a command writes: stdout and stderr. */
export interface EthtoolIo {
  out: (s: string) => void;
  err: (s: string) => void;
  /** nlkit's global -j, which stands for ethtool's --json. */
  json?: boolean;
}

export async function run(cli: Cli, args: Args): Promise<number> {
  const argv = args.rest();
  if (argv.length === 1 && (argv[0] === "-h" || argv[0] === "--help" || argv[0] === "help")) {
    cli.write(ETHTOOL_USAGE + "\n");
    return 0;
  }
  const et = await Ethtool.open(cli.netnsRef());
  try {
    return await ethtoolCommand(et, argv, { out: (s) => cli.write(s), err: (s) => void process.stderr.write(s), json: cli.opts.json });
  } finally {
    et.close();
  }
}

/** ethtool's line after "ethtool": runs it against `et`, writes what ethtool would, returns its exit status. */
export async function ethtoolCommand(et: Ethtool, argv: readonly string[], io: EthtoolIo): Promise<number> {
  const words = [...argv];
  let json = io.json === true;
  while (words[0] === "--json") {
    json = true;
    words.shift();
  }
  const mode: Mode | undefined = words[0]?.startsWith("-") ? MODES[words.shift()!] : "settings";
  const dev = words.shift();
  if (mode === undefined || dev === undefined || dev.startsWith("-") || (json && mode !== "showFeatures")) {
    io.err(BAD_ARGS);
    return 1;
  }
  const noMore = (): boolean => {
    if (!words.length) return true;
    io.err(`ethtool: unexpected parameter '${words[0]}'\n`);
    return false;
  };
  try {
    switch (mode) {
      case "settings":
        return noMore() ? await settings(et, dev, io) : 1;
      case "showFeatures": {
        if (!noMore()) return 1;
        const f = await et.features(dev);
        io.out(json ? formatJson([featuresToEthtoolJson(dev, f)], true) + "\n" : featuresText(dev, f));
        return 0;
      }
      case "setFeatures":
        return await setFeatures(et, dev, words, io);
      case "showChannels":
        if (!noMore()) return 1;
        io.out(channelsText(dev, await et.channels(dev)));
        return 0;
      case "setChannels":
        return await setChannels(et, dev, words, io);
      case "showTsinfo":
        if (!noMore()) return 1;
        io.out(tsinfoText(dev, await et.tsinfo(dev)));
        return 0;
      case "showStats":
        // -S takes its own parameters in ethtool (--groups...), and words their refusal its way
        if (words.length) {
          io.err(`ethtool (-S): unknown parameter '${words[0]}'\n`);
          return 1;
        }
        return await showStats(et, dev, io);
    }
  } catch (e) {
    if (e instanceof NetlinkError) {
      io.err(netlinkErrorText(e));
      return 1;
    }
    if (e instanceof NlkitInputError) {
      io.err(`ethtool: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

/** `ethtool -S`: "NIC statistics:" and one indented line per counter; 94 for none, 96/97 for a refusal. */
async function showStats(et: Ethtool, dev: string, io: EthtoolIo): Promise<number> {
  let stats;
  try {
    stats = await et.stats(dev);
  } catch (e) {
    if (!(e instanceof SyscallError)) throw e;
    const values = e.syscall.includes("ETHTOOL_GSTATS");
    io.err(`Cannot get stats ${values ? "" : "strings "}information: ${errnoMessage(e.errno)}\n`);
    return values ? 97 : 96;
  }
  const entries = Object.entries(stats);
  if (entries.length === 0) {
    io.err("no stats available\n");
    return 94;
  }
  io.out(`NIC statistics:\n${entries.map(([k, v]) => `     ${k}: ${v}\n`).join("")}`);
  return 0;
}

/** ethtool's report of a kernel refusal: the extack line (with its offset), then strerror. */
function netlinkErrorText(e: NetlinkError): string {
  let s = "";
  if (e.extack.message) s += `netlink error: ${e.extack.message}${e.extack.offset !== undefined ? ` (offset ${e.extack.offset})` : ""}\n`;
  return s + `netlink error: ${errnoMessage(e.errno)}\n`;
}

/**
 * Plain `ethtool DEV`: five requests, each printed if the device answered. EOPNOTSUPP is quiet
 * (veth has no WoL or message level); other refusals are printed and the rest still asked.
 */
async function settings(et: Ethtool, dev: string, io: EthtoolIo): Promise<number> {
  const s: Settings = {};
  const ask = async <K extends keyof Settings>(k: K, fn: () => Promise<NonNullable<Settings[K]>>) => {
    try {
      s[k] = await fn();
    } catch (e) {
      if (!(e instanceof NetlinkError)) throw e;
      if (e.code !== "EOPNOTSUPP") io.err(netlinkErrorText(e));
    }
  };
  await ask("linkModes", () => et.linkModes(dev));
  await ask("linkInfo", () => et.linkInfo(dev));
  await ask("wol", () => et.wol(dev));
  await ask("debug", () => et.debug(dev));
  await ask("linkState", () => et.linkState(dev));
  const text = settingsText(s);
  if (!text) {
    io.out("No data available\n");
    return 75;
  }
  io.out(`Settings for ${dev}:\n${text}`);
  return 0;
}

async function setFeatures(et: Ethtool, dev: string, words: string[], io: EthtoolIo): Promise<number> {
  const want: Record<string, boolean> = {};
  for (let i = 0; i < words.length; i += 2) {
    const name = words[i]!;
    if (name === "--") break;
    const v = words[i + 1];
    if (v !== "on" && v !== "off") {
      io.err(`ethtool (-K): flag '${name}' for parameter '${name}' is not followed by 'on' or 'off'\n`);
      return 1;
    }
    // a repeated feature counts once, with its last value, as the kernel applies it
    delete want[name];
    want[name] = v === "on";
  }
  if (!Object.keys(want).length) {
    io.err("Could not change any device features\n");
    return 1;
  }
  try {
    // ethtool sends fixed features along and reports what the kernel left
    io.out(featureChangesText(await et.setFeatures(dev, want, { sendFixed: true })));
    return 0;
  } catch (e) {
    if (!(e instanceof FeatureChangeError)) throw e;
    io.out(featureChangesText(e.changes));
    if (!e.nothingChanged) return 0;
    io.err("Could not change any device features\n");
    return 1;
  }
}

const CHANNEL_PARAMS = new Set(["rx", "tx", "other", "combined"]);

async function setChannels(et: Ethtool, dev: string, words: string[], io: EthtoolIo): Promise<number> {
  const spec: Record<string, number> = {};
  for (let i = 0; i < words.length; i += 2) {
    const p = words[i]!;
    if (!CHANNEL_PARAMS.has(p)) {
      io.err(`ethtool (-L): unknown parameter '${p}'\n`);
      return 1;
    }
    if (p in spec) {
      io.err(`ethtool (-L): duplicate parameter '${p}'\n`);
      return 1;
    }
    const v = words[i + 1];
    if (v === undefined) {
      io.err(`ethtool (-L): no value for parameter '${p}'\n`);
      return 1;
    }
    if (!/^(0|[1-9][0-9]*|0x[0-9a-fA-F]+)$/.test(v) || Number(v) > 0xffffffff) {
      io.err(`ethtool (-L): invalid value '${v}' for parameter '${p}'\n`);
      return 1;
    }
    spec[p] = Number(v);
  }
  // ethtool sends a request without counts, which changes nothing
  if (!Object.keys(spec).length) return 0;
  await et.setChannels(dev, spec as ChannelsSpec);
  return 0;
}
