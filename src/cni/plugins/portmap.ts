// The portmap plugin: a chained plugin forwarding runtimeConfig.portMappings to the container's
// addresses from prevResult; its result is prevResult unchanged.
import { optBool, optInt, refuseUnsupported, truthy, type NetConf } from "../config.js";
import { CNI_ERR, CniError, invalidConfig } from "../errors.js";
import { parsePortMapping, portForward, type PortForwardSpec } from "../portmap.js";
import { attachmentOf, type Plugin, type PluginContext } from "./context.js";
import { containerAddresses } from "./bridge.js";

const UNSUPPORTED = {
  externalSetMarkChain: truthy,
  masqAll: truthy,
  backend: (v: unknown) => v !== "nftables",
};

function stringList(v: unknown, key: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((s) => typeof s !== "string")) throw invalidConfig(`${key} must be a list of strings`);
  return v as string[];
}

export function parsePortmapConfig(conf: NetConf, ifname: string): PortForwardSpec {
  const raw = conf.raw;
  refuseUnsupported(raw, UNSUPPORTED);
  const maps = conf.runtimeConfig.portMappings;
  if (maps !== undefined && maps !== null && !Array.isArray(maps)) throw invalidConfig("runtimeConfig.portMappings must be a list");
  const spec: PortForwardSpec = {
    mappings: ((maps as unknown[] | undefined) ?? []).map((m, i) => parsePortMapping(m, i)),
    addresses: containerAddresses(conf.prevResult, ifname),
    snat: optBool(raw, "snat") ?? true,
    markMasqBit: optInt(raw, "markMasqBit", 0, 31) ?? 13,
  };
  const v4 = stringList(raw.conditionsV4, "conditionsV4");
  if (v4) spec.conditionsV4 = v4;
  const v6 = stringList(raw.conditionsV6, "conditionsV6");
  if (v6) spec.conditionsV6 = v6;
  return spec;
}

async function add(ctx: PluginContext) {
  const spec = parsePortmapConfig(ctx.conf, ctx.ifname);
  const prev = ctx.conf.prevResult;
  if (!prev) throw new CniError(CNI_ERR.internal, "must be called as chained plugin");
  if (spec.mappings.length) await portForward.add(attachmentOf(ctx), spec);
  return prev;
}

export const portmapPlugin: Plugin = async (ctx) => {
  switch (ctx.command) {
    case "ADD": return add(ctx);
    case "DEL":
      parsePortmapConfig(ctx.conf, ctx.ifname);
      // by comment: whatever the mappings and addresses were, and with or without prevResult
      await portForward.remove(attachmentOf(ctx));
      return undefined;
    case "CHECK": {
      const spec = parsePortmapConfig(ctx.conf, ctx.ifname);
      if (!ctx.conf.prevResult) throw new CniError(CNI_ERR.internal, "Required prevResult missing");
      await portForward.check(attachmentOf(ctx), spec);
      return undefined;
    }
    case "GC":
      await portForward.gc(ctx.conf.name, ctx.conf.validAttachments ?? []);
      return undefined;
    case "STATUS":
      return undefined;
  }
};
