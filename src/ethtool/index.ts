export {
  Ethtool, FeatureChangeError,
  type EthtoolOptions, type SetFeaturesOptions, type EthtoolDev, type LinkInfo, type LinkModes, type LinkState, type Wol, type DebugInfo,
  type Channels, type ChannelsSpec, type TsInfo, type EthtoolStats,
} from "./verbs.js";
export { featuresToEthtoolJson, LEGACY_FEATURES, type Feature, type Features, type FeatureChange } from "./features.js";
export { ETHTOOL_FAMILY } from "./table.js";
