// examples/monitor.ts
// Watching the network change: rt.monitor() in a namespace of its own reports links and addresses
// as they come and go, typed as the verbs return them, while the program adds a bridge, gives it
// an address and deletes it. The monitor subscribes before anything changes, so nothing is missed.
//   sudo npx tsx examples/monitor.ts [name-prefix]
import { netns, Rtnl } from "nlkit";

const name = `${process.argv[2] ?? "nlkit-example"}-monitor`;
await netns.add(name);
try {
  const rt = await Rtnl.open({ netns: name });
  const watcher = await Rtnl.open({ netns: name });
  const stop = new AbortController();
  try {
    const events = watcher.monitor({ objects: ["link", "addr"], signal: stop.signal });
    const changes = (async () => {
      await rt.link.add({ name: "br0", kind: "bridge", up: true });
      await rt.addr.add("br0", "10.7.0.1/24");
      await rt.link.del("br0");
    })();
    for await (const ev of events) {
      let what: string = ev.object;
      if (ev.object === "link") what = `link ${ev.data.name} (${ev.data.operstate})`;
      else if (ev.object === "addr") what = `address ${ev.data.local}/${ev.data.prefixlen} on ${ev.data.dev || `link ${ev.data.index}`}`;
      console.log(`${ev.action} ${what}${ev.resynced ? " (found by a resync)" : ""}`);
      if (ev.object === "link" && ev.action === "del") break;
    }
    await changes;
  } finally {
    stop.abort();
    watcher.close();
    rt.close();
  }
} finally {
  await netns.del(name);
}
