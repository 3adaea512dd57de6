import { struct } from "./struct.js";

// What every nfnetlink subsystem shares (linux/netfilter/nfnetlink.h): the message type is
// (subsystem << 8) | message, and every message starts with struct nfgenmsg.

/** struct nfgenmsg; res_id is big-endian (the subsystem for batch delimiters, else 0). */
export const nfgenmsg = struct("nfgenmsg", [["family", "u8"], ["version", "u8"], ["resId", "u16be"]]);

export const NFNETLINK_V0 = 0;
export const NFNETLINK_V1 = 1;

export const NFNL_SUBSYS = {
  ctnetlink: 1, ctnetlinkExp: 2, queue: 3, ulog: 4, osf: 5, ipset: 6, acct: 7, ctnetlinkTimeout: 8, cthelper: 9, nftables: 10, nftCompat: 11, hook: 12,
} as const;

/** The nlmsg_type of message `msg` of subsystem `subsys`. */
export function nfnlType(subsys: number, msg: number): number {
  return (subsys << 8) | msg;
}
