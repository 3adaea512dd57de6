// host-local invoked on its own (as an IPAM plugin by another plugin, or by hand): the IPAM
// result, abbreviated (ips without interface, routes, dns).
import { hostLocal, parseHostLocalConfig } from "../ipam/host-local.js";
import { attachmentOf, type Plugin } from "./context.js";

export const hostLocalPlugin: Plugin = async (ctx) => {
  const cfg = parseHostLocalConfig(ctx.conf, ctx.cniArgs);
  const att = attachmentOf(ctx);
  switch (ctx.command) {
    case "ADD": {
      const r = await hostLocal.allocate(att, cfg);
      if (!r.dns) r.dns = {};
      return r;
    }
    case "DEL": await hostLocal.release(att, cfg); return undefined;
    case "CHECK": hostLocal.check(att, cfg); return undefined;
    case "GC": await hostLocal.gc(ctx.conf.name, cfg, ctx.conf.validAttachments ?? []); return undefined;
    case "STATUS": hostLocal.status(ctx.conf.name, cfg); return undefined;
  }
};
