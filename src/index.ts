// nlkit's public API. Everything a user imports comes from here.

// errors
export { NetlinkError, NlkitInputError, NetlinkParseError, DumpInterruptedError } from "./netlink/errors.js";
export type { Extack, RequestInfo } from "./netlink/errors.js";
export { SyscallError } from "./syscalls/errors.js";

// the socket engine and codec, for families nlkit does not cover yet
export { NetlinkSocket, Batch } from "./netlink/socket.js";
export type { Request, Decoder, Encoder, SocketOptions, DumpOptions, BatchOutcome } from "./netlink/socket.js";
export { NetlinkMonitor, MonitorOverrun } from "./netlink/monitor.js";
export { NlWriter } from "./netlink/writer.js";
export { attrSet, AttrSet, enumDef, encodeAttrs, decodeAttrs, forEachAttr } from "./netlink/attrs.js";
export type { AttrKind, AttrOptions, AttrValues, RawAttr, EnumDef, CustomCodec } from "./netlink/attrs.js";
export { struct, encodeStruct, decodeStruct } from "./netlink/struct.js";
export type { StructDef, StructValue } from "./netlink/struct.js";
export { encodeMessage, decodeMessage, forEachMessage, splitMessages, parseErrorPayload } from "./netlink/message.js";
export type { MessageDef, DecodedMessage, NlHeader } from "./netlink/message.js";
export * as constants from "./netlink/constants.js";
export { parseCidr, parseIp, formatIp } from "./netlink/ip.js";
export type { Cidr, IpFamily } from "./netlink/ip.js";
export type { NetnsRef } from "./netlink/netns-ref.js";

// rtnetlink
export { Rtnl, RtnlBatch } from "./rtnl/rtnl.js";
export type { RtnlOptions } from "./rtnl/rtnl.js";

// network namespaces and per-namespace sysctls
export { netns, sysctl, NetnsError, SysctlError } from "./netns/index.js";
export type { ExecOptions, ExecResult, NetnsEntry, NsidEntry, SysctlOptions } from "./netns/index.js";

// reachability without binaries
export { ping, UdpSourceReporter, udpAsk } from "./probe/index.js";
export type { PingOptions, PingResult, UdpAskResult } from "./probe/index.js";

// nftables
export { Nft, Transaction, nftExpr, renderRule, renderRuleset, renderExpressions, sameExpressions } from "./nft/index.js";
export type {
  NftOptions, MasqueradeOptions, PortForwardOptions, EnsureResult, TableSpec, ChainSpec, RuleSpec, RuleRef, SetSpec,
  ElementsSpec, TableRef, NftRuleset, NftTable, NftChain, NftRule, NftSet, Expr, SetKeyType, NftFamily,
} from "./nft/index.js";

// diagnostics: the troubleshooting checklist along a packet's path
export { diagnose, renderText as renderDoctorText, renderJson as renderDoctorJson } from "./doctor/index.js";
export type { Check, CheckStatus, DiagnoseOptions, Report } from "./doctor/index.js";
