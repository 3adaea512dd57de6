// examples/monitor.ts
// Watching links come and go: a NetlinkMonitor on rtnetlink's link group, in a namespace of its
// own, while the program adds, raises and deletes a bridge there. Each event is the message type
// and the link's name, read from the message with a two-field table.
//   sudo npx tsx examples/monitor.ts [name-prefix]
import { attrSet, constants, decodeMessage, MonitorOverrun, netns, NetlinkMonitor, Rtnl, RTNLGRP, struct } from "nlkit";

const RTM_NEWLINK = 16;
const RTM_DELLINK = 17;
// struct ifinfomsg and the one attribute this program reads (linux/if_link.h: IFLA_IFNAME = 3)
const ifinfomsg = struct("ifinfomsg", [["family", "u8"], ["_", "pad", 1], ["type", "u16"], ["index", "s32"], ["flags", "u32"], ["change", "u32"]]);
const linkAttrs = attrSet("link", "IFLA_", { ifname: [3, "string"] });
const def = { name: "link", header: ifinfomsg, attrs: linkAttrs };

const name = `${process.argv[2] ?? "nlkit-example"}-monitor`;
await netns.add(name);
try {
  const mon = NetlinkMonitor.open({ protocol: constants.NETLINK_ROUTE, groups: [RTNLGRP.link], netnsPath: `/run/netns/${name}` }, (buf, start, len) => {
    const m = decodeMessage(buf, start, len, def);
    return { type: m.type, index: m.header.index as number, name: m.attrs.ifname as string | undefined };
  });
  const rt = await Rtnl.open({ netns: name });
  try {
    await rt.link.add({ name: "br0", kind: "bridge" });
    await rt.link.set("br0", { up: true });
    await rt.link.del("br0");
    // the events were queued on the monitor's socket as the kernel made the changes
    for await (const ev of mon) {
      if (ev instanceof MonitorOverrun) {
        console.log("overrun: events were lost; list the links again (rt.link.list())");
        continue;
      }
      console.log(`${ev.type === RTM_NEWLINK ? "new" : ev.type === RTM_DELLINK ? "del" : ev.type} link ${ev.index} ${ev.name ?? ""}`);
      if (ev.type === RTM_DELLINK) break;
    }
  } finally {
    rt.close();
    await mon.close();
  }
} finally {
  await netns.del(name);
}
