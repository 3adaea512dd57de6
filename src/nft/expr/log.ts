import { attrSet, enumDef } from "../../netlink/attrs.js";

/** enum nft_log_level: syslog levels plus audit */
export const logLevel = enumDef("log level", {
  emerg: 0, alert: 1, crit: 2, err: 3, warn: 4, notice: 5, info: 6, debug: 7, audit: 8,
});

export const logAttrs = attrSet("log", "NFTA_LOG_", {
  group: [1, "u16", { be: true }],
  prefix: [2, "string"],
  snaplen: [3, "u32", { be: true }],
  qthreshold: [4, "u16", { be: true }],
  level: [5, "u32", { be: true, enum: logLevel }],
  flags: [6, "u32", { be: true }],
}, { nestFlag: true });
