export {
  Genl, genlDecoder, registerGenlFamily,
  type GenlOptions, type GenlFamily, type GenlOp, type GenlMcastGroup, type GenlFamilySpec, type GenlCommand, type GenlMessage,
} from "./verbs.js";
export { GenlMonitor, type GenlMonitorOptions } from "./monitor.js";
export { GENL_ID_CTRL, GENL_OP_FLAGS, genlmsghdr } from "./table.js";
