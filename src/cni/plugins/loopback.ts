// The loopback plugin: lo up on ADD (or prevResult passed through when chained), down on DEL.
import { loopbackCheck, loopbackDown, loopbackUp } from "../loopback.js";
import type { Plugin } from "./context.js";

export const loopbackPlugin: Plugin = async (ctx) => {
  switch (ctx.command) {
    case "ADD": {
      const r = await loopbackUp(ctx.netns);
      return ctx.conf.prevResult ?? r;
    }
    case "DEL": await loopbackDown(ctx.netns); return undefined;
    case "CHECK": await loopbackCheck(ctx.netns); return undefined;
    case "GC":
    case "STATUS": return undefined;
  }
};
