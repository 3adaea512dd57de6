// nlkit's public API. Everything a user imports comes from here.

// errors
export { NetlinkError, NlkitInputError, NetlinkParseError, DumpInterruptedError, NlkitTimeoutError } from "./netlink/errors.js";
export type { Extack, RequestInfo } from "./netlink/errors.js";
export { SyscallError } from "./syscalls/errors.js";

// the socket engine and codec, for families nlkit does not cover yet
export { NetlinkSocket, Batch, retainingDecoder, tableRequest, openSocket } from "./netlink/socket.js";
export type { OpenOptions } from "./netlink/socket.js";
export type { Request, Decoder, Encoder, SocketOptions, DumpOptions, BatchOutcome, BatchOptions, CallOptions } from "./netlink/socket.js";
// the transport seam: the kernel, or a scripted stand-in for tests without root
export { KernelTransport } from "./netlink/transport.js";
export type { Transport, KernelTransportOptions } from "./netlink/transport.js";
export { ScriptedTransport, ScriptMismatchError, reply } from "./netlink/scripted.js";
export type { ScriptedExchange, ScriptedRequest, ScriptHandler, ScriptedTransportOptions } from "./netlink/scripted.js";
export { compiledDecoder, decodeParts } from "./netlink/compiled.js";
export type { AttrDecoder, DecodedParts } from "./netlink/compiled.js";
export { NetlinkMonitor, MonitorOverrun } from "./netlink/monitor.js";
export { NlWriter } from "./netlink/writer.js";
export { attrSet, AttrSet, enumDef, encodeAttrs, decodeAttrs, forEachAttr } from "./netlink/attrs.js";
export type { AttrKind, AttrOptions, AttrValues, RawAttr, EnumDef, CustomCodec } from "./netlink/attrs.js";
export { struct, encodeStruct, decodeStruct } from "./netlink/struct.js";
export type { StructDef, StructValue } from "./netlink/struct.js";
export { encodeMessage, decodeMessage, forEachMessage, splitMessages, parseErrorPayload } from "./netlink/message.js";
export type { MessageDef, DecodedMessage, NlHeader } from "./netlink/message.js";
/**
 * Netlink's own numbers (protocols such as `NETLINK_ROUTE`, `NLM_F_*` flags, message types), from
 * /usr/include/linux/netlink.h, for sockets and requests of families nlkit does not cover.
 *
 * @example
 * ```ts
 * import { NetlinkSocket, constants } from "nlkit";
 * const sock = NetlinkSocket.open({ protocol: constants.NETLINK_GENERIC });
 * ```
 */
export * as constants from "./netlink/constants.js";
export { parseCidr, parseIp, formatIp } from "./netlink/ip.js";
export type { Cidr, IpFamily } from "./netlink/ip.js";
export type { NetnsRef } from "./netlink/netns-ref.js";

// rtnetlink
export { Rtnl, RtnlBatch } from "./rtnl/rtnl.js";
export type { RtnlOptions } from "./rtnl/rtnl.js";
export type { LinkApi } from "./rtnl/link/index.js";
export type { AddrApi } from "./rtnl/addr/verbs.js";
export type { RouteApi } from "./rtnl/route/verbs.js";
export type { NeighApi, NeighGetSpec } from "./rtnl/neigh/verbs.js";
export type { RuleApi } from "./rtnl/rule/verbs.js";
export type { AddrlabelApi, Addrlabel, AddrlabelSpec, AddrlabelListFilter, AddrlabelGetSpec } from "./rtnl/addrlabel/verbs.js";
export type { NetconfApi, Netconf, NetconfGetSpec, NetconfListFilter, NetconfDev } from "./rtnl/netconf/verbs.js";
export type { AddOptions, ChangeOptions } from "./rtnl/verb.js";
export { RtnlMonitor, MONITOR_OBJECTS } from "./rtnl/monitor/index.js";
export type { MonitorOptions, MonitorEvent, MonitorObject, MonitorAction } from "./rtnl/monitor/index.js";

// network namespaces and per-namespace sysctls
export { netns, sysctl, NetnsError, SysctlError } from "./netns/index.js";
export type { ExecOptions, ExecResult, NetnsEntry, NsidEntry, SysctlOptions } from "./netns/index.js";

// reachability without binaries
export { ping, tcpConnect, UdpSourceReporter, udpAsk } from "./probe/index.js";
export type { PingOptions, PingResult, TcpConnectResult, UdpAskResult } from "./probe/index.js";

// socket diagnostics (what ss shows), filtered by the kernel
export { SockDiag } from "./sockdiag/verbs.js";
export { waitListening, type WaitListeningOptions } from "./sockdiag/wait.js";
export type {
  InetSocket, UnixSocket, InetFilter, UnixFilter, InetConditions, DestroySpec, TcpInfo, SocketState, Endpoint as SocketEndpoint,
  SkMeminfo, Counter,
} from "./sockdiag/verbs.js";

// nftables
export { Nft, Transaction, nftExpr, renderRule, renderRuleset, renderTable as renderNftTable, renderExpressions, sameExpressions, RulesetChangedError } from "./nft/index.js";
export type {
  NftOptions, MasqueradeOptions, PortForwardOptions, EnsureResult, TableSpec as NftTableSpec, ChainSpec as NftChainSpec,
  RuleSpec as NftRuleSpec, RuleRef as NftRuleRef, SetSpec as NftSetSpec, ElementsSpec as NftElementsSpec,
  TableRef as NftTableRef, NftRuleset, NftTable, NftChain, NftRule, NftSet, NftMap, NftObject, Expr, SetKeyType, NftFamily,
  ApplyOptions as NftApplyOptions, ApplyResult as NftApplyResult, SourceLocation as NftSourceLocation,
  ElementSpec as NftElementSpec, ElementKey as NftElementKey, ElementData as NftElementData, ObjectSpec as NftObjectSpec,
} from "./nft/index.js";

// rtnetlink objects, and their ip -j renderings
export type {
  Link, LinkField, LinkFields, LinkRef, LinkAddSpec, LinkAddOptions, LinkSetOptions, LinkListFilter, LinkStats64, LinkAfSpec,
  VethPeerSpec,
  TuntapOptions, BridgeOptions, BridgePortOptions, VxlanOptions, MacvlanOptions, VlanOptions, IpvlanOptions, BondOptions, VrfOptions,
  GeneveOptions, IpTunnelOptions,
} from "./rtnl/link/index.js";
export type { Addr, AddrSpec, AddrOptions, AddrAddOptions, AddrDelOptions, AddrListFilter, AddrFlag, Lifetime } from "./rtnl/addr/verbs.js";
export type {
  RouteSpec, RouteModifyOptions, RouteListFilter, RouteGetOptions, NexthopSpec, RouteType, RouteScope, RouteProtocol,
  RouteGetSpec, Route, Nexthop, RouteMetrics,
} from "./rtnl/route/verbs.js";
export type { Neigh, NeighSpec, NeighListFilter, NeighModifyOptions, NeighState } from "./rtnl/neigh/verbs.js";
export type { Rule, RuleSpec, RuleAction, RuleListFilter } from "./rtnl/rule/verbs.js";
export type { Table } from "./rtnl/enums.js";
export { linkToIpJson, linksToIpJson } from "./rtnl/link/index.js";
export { addrToIpJson } from "./rtnl/json/addr.js";
export { routeToIpJson } from "./rtnl/json/route.js";
export { neighToIpJson, fdbToBridgeJson } from "./rtnl/json/neigh.js";
export { ruleToIpJson } from "./rtnl/json/rule.js";
export { RTNLGRP } from "./rtnl/types.js";

// generic netlink: families resolved through nlctrl, their commands and multicast groups
export { Genl, GenlMonitor, genlDecoder, registerGenlFamily, GENL_ID_CTRL, GENL_OP_FLAGS } from "./genl/index.js";
export type {
  GenlOptions, GenlFamily, GenlOp, GenlMcastGroup, GenlFamilySpec, GenlCommand, GenlMessage, GenlMonitorOptions,
} from "./genl/index.js";

// ethtool over generic netlink: link settings and state, offload features, channels
export { Ethtool, FeatureChangeError, featuresToEthtoolJson, ETHTOOL_FAMILY } from "./ethtool/index.js";
export type {
  EthtoolOptions, EthtoolDev, LinkInfo as EthtoolLinkInfo, LinkModes as EthtoolLinkModes, LinkState as EthtoolLinkState, Wol as EthtoolWol, DebugInfo as EthtoolDebugInfo,
  Channels as EthtoolChannels, ChannelsSpec as EthtoolChannelsSpec, TsInfo as EthtoolTsInfo, Feature as EthtoolFeature, Features as EthtoolFeatures,
  FeatureChange as EthtoolFeatureChange, SetFeaturesOptions as EthtoolSetFeaturesOptions, EthtoolStats,
} from "./ethtool/index.js";
// traffic control (rt.tc), and its tc -j renderings
export type { TcApi, QdiscApi, ClassApi, FilterApi, TcAddOptions } from "./rtnl/tc/verbs.js";
export type {
  QdiscSpec, QdiscFilter, Qdisc, ClassSpec, ClassFilter, TcClass, FilterSpec, FilterListFilter, Filter, Action, ActionSpec, Handle as TcHandle,
  Protocol as TcProtocol, TcStats,
} from "./rtnl/tc/types.js";
export type { RateInput, SizeInput, TimeInput, LinkLayer } from "./rtnl/tc/units.js";
export type { TbfOptions } from "./rtnl/tc/qdisc/tbf.js";
export type { HtbOptions, HtbClassOptions } from "./rtnl/tc/qdisc/htb.js";
export type { FifoOptions } from "./rtnl/tc/qdisc/fifo.js";
export type { NetemOptions } from "./rtnl/tc/qdisc/netem.js";
export type { FqCodelOptions } from "./rtnl/tc/qdisc/fq_codel.js";
export type { FqOptions } from "./rtnl/tc/qdisc/fq.js";
export type { SfqOptions } from "./rtnl/tc/qdisc/sfq.js";
export type { PrioOptions } from "./rtnl/tc/qdisc/prio.js";
export type { CakeOptions } from "./rtnl/tc/qdisc/cake.js";
export type { U32Options, U32Match } from "./rtnl/tc/filter/u32.js";
export type { BpfOptions } from "./rtnl/tc/filter/bpf.js";
export type { MatchallOptions } from "./rtnl/tc/filter/matchall.js";
export type { FlowerOptions } from "./rtnl/tc/filter/flower.js";
export { qdiscToTcJson, classToTcJson, filterToTcJson, actionToTcJson } from "./rtnl/tc/json.js";

// diagnostics: the troubleshooting checklist along a packet's path
export { diagnose, renderText as renderDoctorText, renderJson as renderDoctorJson } from "./doctor/index.js";
export type { Check, CheckStatus, DiagnoseOptions, Report } from "./doctor/index.js";

// connection tracking (ctnetlink)
export { Conntrack } from "./conntrack/verbs.js";
export type { ConntrackOptions, ConntrackEvent, EventKind as ConntrackEventKind, EventsOptions as ConntrackEventsOptions } from "./conntrack/verbs.js";
export type { Flow, FlowTuple, FlowCounters, FlowFilter, FlowFamily, FlowSpec, TupleFilter, TupleSpec } from "./conntrack/flow.js";
