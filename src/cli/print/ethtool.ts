// ethtool 6.1's text: `ethtool DEV` (settings), -k (features), -l (channels), -K's "Actual changes".
import type { Channels, DebugInfo, FeatureChange, Features, LinkInfo, LinkModes, LinkState, TsInfo, Wol } from "../../ethtool/index.js";

const PORTS = new Set(["TP", "AUI", "MII", "FIBRE", "BNC", "Backplane"]);
const FEC = new Set(["None", "RS", "BASER", "LLRS"]);
const NOT_REAL = new Set([...PORTS, ...FEC, "Autoneg", "Pause", "Asym_Pause"]);

type ModeClass = "port" | "real" | "fec";

function classOf(mode: string): ModeClass | "other" {
  if (PORTS.has(mode)) return "port";
  if (FEC.has(mode)) return "fec";
  return NOT_REAL.has(mode) ? "other" : "real";
}

/**
 * One line of link modes of a class. `between` undefined wraps each mode onto its own line under
 * the first (ethtool's layout for speeds), except that a /Full mode follows its /Half on the same line.
 */
function modesLine(modes: readonly string[], cls: ModeClass, before: string, between: string | undefined, after: string, ifNone?: string): string {
  let s = `\t${before}`;
  let prev: string | undefined;
  for (const m of modes) {
    if (classOf(m) !== cls) continue;
    if (prev !== undefined) {
      if (cls === "real" && prev.endsWith("/Half") && m === prev.replace(/\/Half$/, "/Full")) s += " ";
      else if (between !== undefined) s += `\t${between}`;
      else s += `\n\t${" ".repeat(before.length)}`;
    }
    s += m;
    prev = m;
  }
  if (prev === undefined && ifNone !== undefined) s += ifNone;
  return s + after;
}

function pauseLine(modes: readonly string[], label: string): string {
  const pause = modes.includes("Pause");
  const asym = modes.includes("Asym_Pause");
  return `\t${label}${pause ? (asym ? "Symmetric Receive-only" : "Symmetric") : asym ? "Transmit-only" : "No"}\n`;
}

const PORT_TEXT: Record<string, string> = {
  tp: "Twisted Pair", aui: "AUI", bnc: "BNC", mii: "MII", fibre: "FIBRE", da: "Direct Attach Copper", none: "None", other: "Other",
};
const MASTER_SLAVE_CFG_TEXT: Record<string, string> = {
  unknown: "unknown", "preferred-master": "preferred master", "preferred-slave": "preferred slave",
  "forced-master": "forced master", "forced-slave": "forced slave",
};
const MASTER_SLAVE_STATE_TEXT: Record<string, string> = { unknown: "unknown", master: "master", slave: "slave", err: "resolution error" };
const EXT_STATE_TEXT = [
  "Autoneg", "Link training failure", "Logical mismatch", "Bad signal integrity", "No cable", "Cable issue",
  "EEPROM issue", "Calibration failure", "Power budget exceeded", "Overheat", "Module",
];
/** ETHTOOL_LINK_EXT_SUBSTATE_* texts by ext state (index in EXT_STATE_TEXT), numbered from 1. */
const EXT_SUBSTATE_TEXT: Record<number, string[]> = {
  0: ["No partner detected", "Ack not received", "Next page exchange failed", "No partner detected during force mode", "FEC mismatch during override", "No HCD"],
  1: ["KR frame lock not acquired", "KR link inhibit timeout", "KR Link partner did not set receiver ready", "Remote side is not ready yet"],
  2: ["PCS did not acquire block lock", "PCS did not acquire AM lock", "PCS did not get align_status", "FC FEC is not locked", "RS FEC is not locked"],
  3: ["Large number of physical errors", "Unsupported rate", "Serdes reference clock lost", "Serdes ALOS"],
  5: ["Unsupported cable", "Cable test failure"],
  10: ["CMIS module is not in ModuleReady state"],
};
const WOL_LETTERS: ReadonlyArray<readonly [string, string]> = [
  ["phy", "p"], ["ucast", "u"], ["mcast", "m"], ["bcast", "b"], ["arp", "a"], ["magic", "g"], ["magicsecure", "s"], ["filter", "f"],
];

function enumText(label: string, v: string | number, table: Record<string, string>): string {
  const t = typeof v === "string" ? table[v] : undefined;
  return t === undefined ? `\t${label}: Unknown! (${typeof v === "number" ? v : "?"})\n` : `\t${label}: ${t}\n`;
}

/** What `ethtool DEV` prints for the parts the device answered (any may be missing). */
export interface Settings {
  linkModes?: LinkModes;
  linkInfo?: LinkInfo;
  wol?: Wol;
  debug?: DebugInfo;
  linkState?: LinkState;
}

/** `ethtool DEV`: the lines after the "Settings for DEV:" banner; "" when nothing was answered. */
export function settingsText(s: Settings): string {
  let t = "";
  const lm = s.linkModes;
  if (lm?.supported !== undefined) {
    const sup = lm.supported;
    const adv = lm.advertised ?? [];
    t += modesLine(sup, "port", "Supported ports: [ ", " ", " ]\n");
    t += modesLine(sup, "real", "Supported link modes:   ", undefined, "\n", "Not reported");
    t += pauseLine(sup, "Supported pause frame use: ");
    t += `\tSupports auto-negotiation: ${sup.includes("Autoneg") ? "Yes" : "No"}\n`;
    t += modesLine(sup, "fec", "Supported FEC modes: ", " ", "\n", "Not reported");
    t += modesLine(adv, "real", "Advertised link modes:  ", undefined, "\n", "Not reported");
    t += pauseLine(adv, "Advertised pause frame use: ");
    t += `\tAdvertised auto-negotiation: ${adv.includes("Autoneg") ? "Yes" : "No"}\n`;
    t += modesLine(adv, "fec", "Advertised FEC modes: ", " ", "\n", "Not reported");
  }
  if (lm?.peer !== undefined) {
    t += modesLine(lm.peer, "real", "Link partner advertised link modes:  ", undefined, "\n", "Not reported");
    t += pauseLine(lm.peer, "Link partner advertised pause frame use: ");
    t += `\tLink partner advertised auto-negotiation: ${lm.peer.includes("Autoneg") ? "Yes" : "No"}\n`;
    t += modesLine(lm.peer, "fec", "Link partner advertised FEC modes: ", " ", "\n", "Not reported");
  }
  if (lm?.speed !== undefined) t += lm.speed === "unknown" ? "\tSpeed: Unknown!\n" : `\tSpeed: ${lm.speed}Mb/s\n`;
  if (lm?.lanes !== undefined) t += `\tLanes: ${lm.lanes}\n`;
  if (lm?.duplex !== undefined) t += enumText("Duplex", lm.duplex, { half: "Half", full: "Full" });
  if (lm?.autoneg !== undefined) t += `\tAuto-negotiation: ${lm.autoneg ? "on" : "off"}\n`;
  if (lm?.masterSlaveCfg !== undefined) t += enumText("master-slave cfg", lm.masterSlaveCfg, MASTER_SLAVE_CFG_TEXT);
  if (lm?.masterSlaveState !== undefined) t += enumText("master-slave status", lm.masterSlaveState, MASTER_SLAVE_STATE_TEXT);
  const li = s.linkInfo;
  if (li?.port !== undefined) t += enumText("Port", li.port, PORT_TEXT);
  if (li?.phyaddr !== undefined) t += `\tPHYAD: ${li.phyaddr}\n`;
  if (li?.transceiver !== undefined) t += enumText("Transceiver", li.transceiver, { internal: "internal", external: "external" });
  if (li?.tpMdix !== undefined && li.tpMdixCtrl !== undefined && li.port === "tp") {
    if (li.tpMdixCtrl === "off") t += "\tMDI-X: off (forced)\n";
    else if (li.tpMdixCtrl === "on") t += "\tMDI-X: on (forced)\n";
    else t += `\tMDI-X: ${li.tpMdix === "off" ? "off" : li.tpMdix === "on" ? "on" : "Unknown"}${li.tpMdixCtrl === "auto" ? " (auto)" : ""}\n`;
  }
  if (s.wol) t += wolText(s.wol);
  if (s.debug) {
    t += `        Current message level: 0x${s.debug.msglvl.toString(16).padStart(8, "0")} (${s.debug.msglvl})\n`;
    t += `${" ".repeat(30)}${s.debug.classes.map((c) => ` ${c}`).join("")}\n`;
  }
  const ls = s.linkState;
  if (ls?.link !== undefined) {
    t += `\tLink detected: ${ls.link ? "yes" : "no"}`;
    if (ls.extState !== undefined) {
      t += ` (${EXT_STATE_TEXT[ls.extState] ?? ls.extState}`;
      if (ls.extSubstate !== undefined) t += `, ${EXT_SUBSTATE_TEXT[ls.extState]?.[ls.extSubstate - 1] ?? ls.extSubstate}`;
      t += ")";
    }
    t += "\n";
  }
  if (ls?.sqi !== undefined) t += `\tSQI: ${ls.sqi}${ls.sqiMax !== undefined ? `/${ls.sqiMax}` : ""}\n`;
  return t;
}

function wolLetters(modes: readonly string[]): string {
  const s = WOL_LETTERS.filter(([name]) => modes.includes(name)).map(([, c]) => c).join("");
  return s || "d";
}

function wolText(w: Wol): string {
  let t = `\tSupports Wake-on: ${wolLetters(w.supported)}\n\tWake-on: ${wolLetters(w.enabled)}\n`;
  if (w.supported.includes("magicsecure")) t += `        SecureOn password: ${w.sopass ?? "00:00:00:00:00:00"}\n`;
  return t;
}

/** `ethtool -k DEV`. */
export function featuresText(dev: string, features: Features): string {
  let t = `Features for ${dev}:\n`;
  for (const [name, f] of Object.entries(features)) {
    let suffix = "";
    if (f.fixed) suffix = " [fixed]";
    else if (f.wanted !== null && f.active !== f.wanted) suffix = f.wanted ? " [requested on]" : " [requested off]";
    t += `${f.parent !== undefined ? "\t" : ""}${name}: ${f.active ? "on" : "off"}${suffix}\n`;
  }
  return t;
}

/** `ethtool -K`'s report: nothing when exactly what was asked changed, else every change. */
export function featureChangesText(changes: readonly FeatureChange[]): string {
  const notAsked = (c: FeatureChange) => c.requested === undefined;
  const refused = (c: FeatureChange) => c.requested !== undefined && c.requested !== c.active;
  if (!changes.some((c) => notAsked(c) || refused(c))) return "";
  let t = "Actual changes:\n";
  for (const c of changes) {
    const now = c.active ? "on" : "off";
    if (refused(c)) t += `${c.feature}: ${now} [requested ${c.requested ? "on" : "off"}]\n`;
    else if (notAsked(c)) t += `${c.feature}: ${now} [not requested]\n`;
    else t += `${c.feature}: ${now}\n`;
  }
  return t;
}

/** `ethtool -l DEV`; a kind with no channels (maximum 0) is "n/a", as the kernel leaves it out. */
export function channelsText(dev: string, c: Channels): string {
  const v = (max: number, n: number) => (max === 0 ? "n/a" : String(n));
  const block = (pick: (k: "rx" | "tx" | "other" | "combined", max: number) => string) =>
    `RX:\t\t${pick("rx", c.rxMax)}\nTX:\t\t${pick("tx", c.txMax)}\nOther:\t\t${pick("other", c.otherMax)}\nCombined:\t${pick("combined", c.combinedMax)}\n`;
  return `Channel parameters for ${dev}:\nPre-set maximums:\n${block((_k, max) => v(max, max))}Current hardware settings:\n${block((k, max) => v(max, c[k]))}`;
}

/** `ethtool -T`: each list one name a line, or " none" on its heading's line. */
export function tsinfoText(dev: string, t: TsInfo): string {
  const list = (heading: string, names: readonly string[]) => `${heading}:${names.length ? names.map((n) => `\n\t${n}`).join("") : " none"}\n`;
  return `Time stamping parameters for ${dev}:\n${list("Capabilities", t.timestamping)}`
    + `PTP Hardware Clock: ${t.phcIndex ?? "none"}\n`
    + list("Hardware Transmit Timestamp Modes", t.txTypes)
    + list("Hardware Receive Filter Modes", t.rxFilters);
}
