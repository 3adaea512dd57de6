export { RtnlMonitor, type MonitorOptions, type MonitorSource, type NotificationOpener } from "./monitor.js";
export { decodeNotification, MONITOR_OBJECTS, type MonitorAction, type MonitorEvent, type MonitorObject, type ObjectData } from "./events.js";
