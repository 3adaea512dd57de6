// Network configuration as a plugin receives it (SPEC section 3: the plugin's object from the list
// plus cniVersion, name, runtimeConfig and prevResult), read strictly: a wrong type is code 7, a
// key the reference plugins implement and nlkit-cni does not is code 2, naming the key.
import { CNI_ERR, CniError, invalidConfig } from "./errors.js";
import { parseResult, type CniDns, type CniResult } from "./result.js";

export type Json = Record<string, unknown>;

/**
 * Identifies one container attachment the way CNI does (network name, container id, interface name);
 * nlkit keys its IP allocations and nftables rules by it so DEL and GC find exactly what ADD made.
 *
 * @example
 * ```ts
 * const att: Attachment = { network: "lab", containerId: "ctr1", ifname: "eth0" };
 * // DEL needs nothing but the attachment: the rules are found by their comment
 * await portForward.remove(att);
 * await masquerade.remove(att);
 * const released = await hostLocal.release(att, { dataDir: "/run/lab-ipam" });
 * console.log(released); // ["10.22.0.2"]
 * ```
 */
export interface Attachment {
  /** The network name (the configuration's `name`). */
  network: string;
  /** The container's id, as the runtime passes it in CNI_CONTAINERID. */
  containerId: string;
  /** The interface's name inside the container, from CNI_IFNAME ("eth0"). */
  ifname: string;
}

/**
 * An attachment the runtime still considers valid, as CNI's GC command lists it (`cni.dev/valid-
 * attachments`).
 *
 * @example
 * ```ts
 * // the attachments the runtime still knows; everything else of network "lab" goes
 * const valid: GcAttachment[] = [{ containerID: "ctr1", ifname: "eth0" }, { containerID: "ctr2", ifname: "eth0" }];
 * const freed = await hostLocal.gc("lab", { dataDir: "/run/lab-ipam" }, valid);
 * const rules = await masquerade.gc("lab", valid) + await portForward.gc("lab", valid);
 * console.log(`released ${freed.join(", ")}; removed ${rules} nftables rules`);
 * ```
 */
export interface GcAttachment {
  /** The container's id (the entry's `containerID`, spelled as the spec's JSON spells it). */
  containerID: string;
  /** The interface's name inside the container (the entry's `ifname`). */
  ifname: string;
}

/**
 * What every plugin reads: the common keys, the rest left in `raw`.
 *
 * @example
 * ```ts
 * import { readFileSync } from "node:fs";
 * const conf: NetConf = parseNetConf(JSON.parse(readFileSync(0, "utf8")));
 * console.log(conf.name, conf.type, conf.cniVersion); // lab bridge 1.0.0
 * const bridge = typeof conf.raw.bridge === "string" ? conf.raw.bridge : "cni0";
 * const addresses = conf.prevResult?.ips?.map((ip) => ip.address) ?? []; // CHECK, DEL: what ADD configured
 * console.log(bridge, addresses, conf.validAttachments?.length);          // GC: the attachments to keep
 * ```
 */
export interface NetConf {
  /** The configuration's CNI version. */
  cniVersion: string;
  /** The network's name. */
  name: string;
  /** The plugin's name. */
  type: string;
  /** The configuration as parsed, for fields of other plugins. */
  raw: Json;
  /** The IPAM section, passed to the IPAM plugin. */
  ipam?: Json;
  /** DNS settings to report. */
  dns?: CniDns;
  /** The result of earlier plugins (CHECK, DEL and chained ADD). */
  prevResult?: CniResult;
  /** Capabilities' values the runtime passed (portMappings...). */
  runtimeConfig: Json;
  /** The `args` section. */
  args: Json;
  /** GC: cni.dev/valid-attachments */
  validAttachments?: GcAttachment[];
}

export function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function optBool(o: Json, key: string, where = ""): boolean | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw invalidConfig(`${where}${key} must be true or false, not ${JSON.stringify(v)}`);
  return v;
}

export function optInt(o: Json, key: string, min: number, max: number, where = ""): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw invalidConfig(`${where}${key} must be an integer from ${min} to ${max}, not ${JSON.stringify(v)}`);
  }
  return v;
}

export function optStr(o: Json, key: string, where = ""): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw invalidConfig(`${where}${key} must be a string, not ${JSON.stringify(v)}`);
  return v;
}

export function optObj(o: Json, key: string, where = ""): Json | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw invalidConfig(`${where}${key} must be an object, not ${JSON.stringify(v)}`);
  return v;
}

/**
 * Refuses keys the reference plugins act on and nlkit-cni does not, when they ask for something
 * (a default value such as `"vlan": 0` asks for nothing). `unsupported` maps key -> whether the
 * value given asks for the feature.
 */
export function refuseUnsupported(o: Json, unsupported: Record<string, (v: unknown) => boolean>, where = ""): void {
  for (const [key, active] of Object.entries(unsupported)) {
    const v = o[key];
    if (v === undefined || v === null || !active(v)) continue;
    throw new CniError(CNI_ERR.unsupportedField, `unsupported field "${where}${key}": nlkit-cni does not implement it`, `${where}${key}: ${JSON.stringify(v)}`);
  }
}

export const truthy = (v: unknown): boolean => v !== false && v !== 0 && v !== "" && !(Array.isArray(v) && v.length === 0);

/** The DNS section as results carry it. */
export function parseDnsConf(v: unknown, where = "dns"): CniDns | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw invalidConfig(`${where} must be an object`);
  const out: CniDns = {};
  for (const k of ["nameservers", "search", "options"] as const) {
    const l = v[k];
    if (l === undefined || l === null) continue;
    if (!Array.isArray(l) || l.some((s) => typeof s !== "string")) throw invalidConfig(`${where}.${k} must be a list of strings`);
    if (l.length) out[k] = l as string[];
  }
  const d = optStr(v, "domain", `${where}.`);
  if (d) out.domain = d;
  return out;
}

/**
 * The common part of any plugin's configuration; the shell has already checked name and cniVersion.
 *
 * @example
 * ```ts
 * const conf = parseNetConf({
 *   cniVersion: "1.0.0", name: "lab", type: "bridge", bridge: "cni0", isGateway: true,
 *   ipam: { type: "host-local", subnet: "10.22.0.0/24" },
 *   dns: { nameservers: ["10.22.0.1"] },
 * });
 * console.log(conf.ipam?.type, conf.dns?.nameservers, conf.raw.isGateway); // host-local [ '10.22.0.1' ] true
 * ```
 */
export function parseNetConf(raw: Json): NetConf {
  const conf: NetConf = {
    cniVersion: typeof raw.cniVersion === "string" && raw.cniVersion ? raw.cniVersion : "0.1.0",
    name: String(raw.name ?? ""),
    type: optStr(raw, "type") ?? "",
    raw,
    runtimeConfig: optObj(raw, "runtimeConfig") ?? {},
    args: optObj(raw, "args") ?? {},
  };
  const ipam = optObj(raw, "ipam");
  if (ipam) conf.ipam = ipam;
  const dns = parseDnsConf(raw.dns);
  if (dns) conf.dns = dns;
  if (raw.prevResult !== undefined && raw.prevResult !== null) conf.prevResult = parseResult(raw.prevResult, conf.cniVersion);
  const valid = raw["cni.dev/valid-attachments"];
  if (valid !== undefined && valid !== null) {
    if (!Array.isArray(valid) || valid.some((a) => !isObject(a) || typeof a.containerID !== "string" || typeof a.ifname !== "string")) {
      throw invalidConfig("cni.dev/valid-attachments must be a list of {containerID, ifname}");
    }
    conf.validAttachments = valid as GcAttachment[];
  }
  return conf;
}

/**
 * CNI_ARGS "K=V;K2=V2" (libcni's CommonArgs: unknown keys are the plugin's to ignore).
 *
 * @example
 * ```ts
 * // CNI_ARGS="IgnoreUnknown=1;IP=10.22.0.50;K8S_POD_NAME=web-0"
 * const args = parseCniArgs(process.env.CNI_ARGS);
 * console.log(args.get("IP"), args.get("K8S_POD_NAME")); // 10.22.0.50 web-0
 * ```
 */
export function parseCniArgs(text: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!text) return out;
  for (const pair of text.split(";")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new CniError(CNI_ERR.invalidEnvironment, `CNI_ARGS: invalid pair "${pair}"`);
    out.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return out;
}

/** Interface names as the kernel (dev_valid_name) and libcni accept them. */
export function validIfname(name: string): boolean {
  return name.length > 0 && Buffer.byteLength(name) <= 15 && name !== "." && name !== ".." && !/[/:\s]/.test(name);
}
