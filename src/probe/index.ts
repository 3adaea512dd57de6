export { ping, type PingOptions, type PingResult } from "./ping.js";
export { UdpSourceReporter, udpAsk, type UdpAskResult } from "./udp.js";
export { tcpConnect, type TcpConnectResult } from "./tcp.js";
export type { NetnsArg } from "./netns-socket.js";
