// What ss looks up on the machine while it prints: service names (/etc/services, except for
// ports in the namespace's ephemeral range), cgroup paths (by walking the cgroup2 mount, whose
// directory inode numbers are the cgroup ids) and device names.
import * as fs from "node:fs";
import { sysctl } from "../netns/index.js";
import type { Cli } from "./context.js";
import type { SsEnv } from "./print/ss.js";

let services: Map<string, string> | undefined;
let serviceNames: Map<string, number> | undefined;

/** /etc/services: "port/proto" → the first name listed, and every name and alias → its port. */
function loadServices(): void {
  services = new Map();
  serviceNames = new Map();
  let text = "";
  try {
    text = fs.readFileSync("/etc/services", "utf8");
  } catch {
    return;
  }
  for (const line of text.split("\n")) {
    const words = line.replace(/#.*/, "").trim().split(/\s+/);
    const m = /^(\d+)\/(tcp|udp)$/.exec(words[1] ?? "");
    if (!m || !words[0]) continue;
    const key = `${m[1]}/${m[2]}`;
    if (!services.has(key)) services.set(key, words[0]);
    for (const name of [words[0], ...words.slice(2)]) if (!serviceNames.has(name)) serviceNames.set(name, Number(m[1]));
  }
}

/** A port given in a filter: digits, or a service name unless -n. */
export function servicePort(text: string, numeric: boolean): number | undefined {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n <= 65535 ? n : undefined;
  }
  if (numeric || text === "") return undefined;
  if (!serviceNames) loadServices();
  return serviceNames!.get(text);
}

/** The cgroup2 mount point, from /proc/mounts (the first one, as ss takes it). */
function cgroup2Mount(): string | undefined {
  try {
    for (const line of fs.readFileSync("/proc/mounts", "utf8").split("\n")) {
      const [, path, type] = line.split(" ");
      if (type === "cgroup2" && path) return path.replace(/\\040/g, " ");
    }
  } catch {
    // no /proc: no cgroup names
  }
  return undefined;
}

function cgroupPaths(): Map<number, string> {
  const map = new Map<number, string>();
  const root = cgroup2Mount();
  if (!root) return map;
  const rootDev = fs.statSync(root).dev;
  const walk = (dir: string, rel: string) => {
    let st: fs.Stats;
    try {
      st = fs.statSync(dir);
    } catch {
      return;
    }
    // like ss's nftw(FTW_MOUNT): stay on the cgroup2 file system
    if (st.dev !== rootDev) return;
    map.set(st.ino, rel || "/");
    let entries: fs.Dirent[] = [];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) if (e.isDirectory()) walk(`${dir}/${e.name}`, `${rel}/${e.name}`);
  };
  walk(root, "");
  return map;
}

export async function machineEnv(cli: Cli, numeric: boolean, ifnames: ReadonlyMap<number, string> = new Map()): Promise<SsEnv> {
  let lo = 1024, hi = 4999;
  if (!numeric) {
    try {
      const [a, b] = (await sysctl.get("net.ipv4.ip_local_port_range", cli.netnsRef())).trim().split(/\s+/).map(Number);
      if (Number.isInteger(a) && Number.isInteger(b)) [lo, hi] = [a!, b!];
    } catch {
      // ss falls back to 1024-4999 too
    }
  }
  let cgroups: Map<number, string> | undefined;
  return {
    numeric,
    service(port, proto) {
      if (port >= lo && port <= hi) return undefined;
      if (!services) loadServices();
      return services!.get(`${port}/${proto}`);
    },
    cgroupPath(id) {
      cgroups ??= cgroupPaths();
      return cgroups.get(id) ?? `unreachable:${id.toString(16)}`;
    },
    ifname(index) {
      return ifnames.get(index) ?? `if${index}`;
    },
  };
}
