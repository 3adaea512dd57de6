// The bridge plugin: configuration, then bridgeAttach/Detach/Check, IPAM and masquerade.
import { bridgeAttach, type BridgeOptions } from "../bridge.js";
import { bridgeCheck } from "../bridge-check.js";
import { bridgeDetach } from "../bridge-detach.js";
import { optBool, optInt, optStr, refuseUnsupported, truthy, isObject, validIfname, type NetConf } from "../config.js";
import { CNI_ERR, CniError, invalidConfig } from "../errors.js";
import { ipamFor, type Ipam } from "../ipam/index.js";
import { masquerade } from "../masquerade.js";
import type { CniResult } from "../result.js";
import { attachmentOf, BestEffort, type Plugin, type PluginContext } from "./context.js";

export interface BridgeConfig extends BridgeOptions {
  bridge: string;
  ipMasq: boolean;
  mac?: string;
}

// keys the reference bridge acts on that nlkit-cni does not (a default value asks for nothing)
const UNSUPPORTED = {
  vlan: truthy,
  vlanTrunk: truthy,
  macspoofchk: truthy,
  disableContainerInterface: truthy,
  portIsolation: truthy,
  ipMasqBackend: (v: unknown) => v !== "nftables",
};

const MAC = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;

export function parseBridgeConfig(conf: NetConf, cniArgs: Map<string, string>): BridgeConfig {
  const raw = conf.raw;
  refuseUnsupported(raw, UNSUPPORTED);
  const bridge = optStr(raw, "bridge") || "cni0";
  if (!validIfname(bridge)) throw invalidConfig(`invalid bridge name ${JSON.stringify(bridge)}`);
  const out: BridgeConfig = {
    bridge,
    isGateway: optBool(raw, "isGateway") ?? false,
    isDefaultGateway: optBool(raw, "isDefaultGateway") ?? false,
    forceAddress: optBool(raw, "forceAddress") ?? false,
    ipMasq: optBool(raw, "ipMasq") ?? false,
    hairpinMode: optBool(raw, "hairpinMode") ?? false,
    promiscMode: optBool(raw, "promiscMode") ?? false,
    enableDad: optBool(raw, "enabledad") ?? false,
  };
  if (out.isDefaultGateway) out.isGateway = true;
  const mtu = optInt(raw, "mtu", 0, 65535);
  if (mtu) out.mtu = mtu;
  // the MAC: CNI_ARGS, then args.cni.mac, then runtimeConfig.mac win in that order
  const argsCni = isObject(conf.args.cni) ? conf.args.cni : {};
  const mac = optStr(conf.runtimeConfig, "mac", "runtimeConfig.") || optStr(argsCni, "mac", "args.cni.") || cniArgs.get("MAC");
  if (mac) {
    if (!MAC.test(mac)) throw invalidConfig(`invalid MAC address ${JSON.stringify(mac)}`);
    out.mac = mac.toLowerCase();
  }
  return out;
}

function ipamOf(ctx: PluginContext): Ipam | undefined {
  return ipamFor({
    conf: ctx.conf, attachment: attachmentOf(ctx), stdin: ctx.stdin, env: ctx.env, cniArgs: ctx.cniArgs,
    inProcess: ["host-local", `${ctx.prefix}host-local`],
  });
}

/** The container's addresses (those of the interface in the sandbox) in a result. */
export function containerAddresses(r: CniResult | undefined, ifname: string): string[] {
  if (!r) return [];
  return (r.ips ?? [])
    .filter((ip) => {
      if (ip.interface === undefined) return true;
      const itf = r.interfaces?.[ip.interface];
      return itf !== undefined && itf.name === ifname && itf.sandbox !== undefined && itf.sandbox !== "";
    })
    .map((ip) => ip.address);
}

async function add(ctx: PluginContext): Promise<CniResult> {
  const cfg = parseBridgeConfig(ctx.conf, ctx.cniArgs);
  const att = attachmentOf(ctx);
  const ipam = ipamOf(ctx);
  let allocated = false;
  try {
    const result = await bridgeAttach({
      ...att, ...cfg, netnsPath: ctx.netns,
      ...(ctx.conf.dns ? { dns: ctx.conf.dns } : {}),
      ...(ipam ? {
        ipam: async () => {
          try {
            const r = await ipam.add();
            allocated = true;
            return r;
          } catch (e) {
            // SPEC: a delegated IPAM that failed its ADD gets a DEL before the error is returned
            await ipam.del().catch(() => undefined);
            throw e;
          }
        },
      } : {}),
    });
    if (ipam && cfg.ipMasq) {
      try {
        await masquerade.add(att, containerAddresses(result, ctx.ifname));
      } catch (e) {
        await bridgeDetach({ ...att, netnsPath: ctx.netns, bridge: cfg.bridge, prevResult: result }).catch(() => undefined);
        await masquerade.remove(att).catch(() => undefined);
        throw e;
      }
    }
    return result;
  } catch (e) {
    if (allocated) await ipam!.del().catch(() => undefined);
    throw e;
  }
}

async function del(ctx: PluginContext): Promise<undefined> {
  const cfg = parseBridgeConfig(ctx.conf, ctx.cniArgs);
  const att = attachmentOf(ctx);
  const ipam = ipamOf(ctx);
  const steps = new BestEffort();
  await steps.step(() => bridgeDetach({
    ...att, bridge: cfg.bridge,
    ...(ctx.netns ? { netnsPath: ctx.netns } : {}),
    ...(ctx.conf.prevResult ? { prevResult: ctx.conf.prevResult } : {}),
  }));
  if (ipam) await steps.step(() => ipam.del());
  // by comment: neither the namespace nor prevResult is needed to find the rules
  if (ipam && cfg.ipMasq) await steps.step(() => masquerade.remove(att));
  steps.done();
  return undefined;
}

async function check(ctx: PluginContext): Promise<undefined> {
  const cfg = parseBridgeConfig(ctx.conf, ctx.cniArgs);
  const att = attachmentOf(ctx);
  const prev = ctx.conf.prevResult;
  if (!prev) throw new CniError(CNI_ERR.internal, "Required prevResult missing");
  const ipam = ipamOf(ctx);
  if (ipam) await ipam.check();
  await bridgeCheck({ ...att, bridge: cfg.bridge, promiscMode: cfg.promiscMode ?? false, netnsPath: ctx.netns, prevResult: prev });
  if (ipam && cfg.ipMasq) await masquerade.check(att, containerAddresses(prev, ctx.ifname));
  return undefined;
}

async function gc(ctx: PluginContext): Promise<undefined> {
  const cfg = parseBridgeConfig(ctx.conf, ctx.cniArgs);
  const valid = ctx.conf.validAttachments ?? [];
  const ipam = ipamOf(ctx);
  const steps = new BestEffort();
  if (ipam) await steps.step(() => ipam.gc(valid));
  if (cfg.ipMasq) await steps.step(() => masquerade.gc(ctx.conf.name, valid));
  steps.done();
  return undefined;
}

async function status(ctx: PluginContext): Promise<undefined> {
  parseBridgeConfig(ctx.conf, ctx.cniArgs);
  await ipamOf(ctx)?.status();
  return undefined;
}

export const bridgePlugin: Plugin = (ctx) => {
  switch (ctx.command) {
    case "ADD": return add(ctx);
    case "DEL": return del(ctx);
    case "CHECK": return check(ctx);
    case "GC": return gc(ctx);
    case "STATUS": return status(ctx);
  }
};
