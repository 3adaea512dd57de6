// Calls process.exit while the shared poll loop still watches a socket (a UDP responder nobody
// asks), the way a daemon exits with a monitor or a probe still open. Run by
// test/live/poller-exit.test.ts; argv[2] is a namespace name it may create and delete.
import { netns } from "../../src/netns/index.js";
import { UdpSourceReporter } from "../../src/probe/udp.js";

const name = process.argv[2]!;
await netns.add(name);
try {
  const reporter = new UdpSourceReporter({ netns: name, address: "0.0.0.0", port: 7007 });
  void reporter;
} finally {
  // the socket keeps the namespace itself alive until the process is gone; its name goes now
  await netns.del(name);
}
// the poll call is queued for a pool thread; exit's cleanup runs queued work before it joins
setImmediate(() => {
  process.stdout.write("exiting\n");
  process.exit(0);
});
