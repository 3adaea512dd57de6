// nlkit/cni: the pieces of the CNI plugin as a library. The nlkit-cni executable is a thin shell
// over these (see shell.ts); a program can drive them without it.

export { CniError, CNI_ERR } from "./errors.js";
export type { Attachment, GcAttachment, NetConf } from "./config.js";
export { parseNetConf, parseCniArgs } from "./config.js";
export { SUPPORTED_VERSIONS, CURRENT_VERSION } from "./version.js";
export type { CniResult, CniInterface, CniIpConfig, CniRoute, CniDns } from "./result.js";
export { resultJson, printResult, parseResult } from "./result.js";

// host-local, in process
export { hostLocal, parseHostLocalConfig, parseResolvConf } from "./ipam/host-local.js";
export type { HostLocalConfig, HostLocalOptions } from "./ipam/host-local.js";
export type { IpRange, RangeSet, RangeSpec } from "./ipam/ranges.js";
export { DEFAULT_DATA_DIR } from "./ipam/store.js";

// bridge, loopback
export { bridgeAttach } from "./bridge.js";
export { bridgeDetach } from "./bridge-detach.js";
export { bridgeCheck } from "./bridge-check.js";
export type { BridgeOptions, BridgeAttachSpec } from "./bridge.js";
export type { BridgeDetachSpec } from "./bridge-detach.js";
export type { BridgeCheckSpec } from "./bridge-check.js";
export { loopbackUp, loopbackDown, loopbackCheck } from "./loopback.js";

// nftables, keyed by attachment
export { masquerade, MASQ_TABLE, masqueradeExprs } from "./masquerade.js";
export { portForward, HOSTPORT_TABLE, parsePortMapping } from "./portmap.js";
export type { PortMapping, PortForwardSpec } from "./portmap.js";
export { attachmentComment, attachmentKey } from "./nft-util.js";
export type { NftTarget } from "./nft-util.js";

// the executable's protocol handling
export { runShell, pluginName } from "./shell.js";
export type { ShellIO } from "./shell.js";
export { installLinks, PLUGIN_NAMES } from "./install.js";
export type { InstallOptions } from "./install.js";
