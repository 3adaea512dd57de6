import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, expect, it } from "vitest";
import { NETLINK_ROUTE } from "../../src/netlink/constants.js";
import { NetlinkSocket, type Request } from "../../src/netlink/socket.js";
import { encodeStruct } from "../../src/netlink/struct.js";
import { ifinfomsg } from "../../src/rtnl/headers.js";
import { describeLive, TestNamespaces } from "../helpers/live.js";

const RTM_DELLINK = 17, RTM_GETLINK = 18;
const getLinks: Request = { type: RTM_GETLINK, encode: (w) => encodeStruct(w, ifinfomsg, {}) };
const delMissing: Request = { type: RTM_DELLINK, encode: (w) => encodeStruct(w, ifinfomsg, { index: 0x7ffffff0 }) };
const PENDING = Symbol("pending");
const settledOrPending = (p: Promise<unknown>) =>
  Promise.race([p.then(() => "resolved", () => "rejected"), new Promise((r) => setTimeout(() => r(PENDING), 200))]);

describeLive("netlink socket engine: recovery from failures (live)", () => {
  const ns = new TestNamespaces("rvc");
  let path = "";

  beforeAll(() => {
    const name = ns.create("core");
    path = `/run/netns/${name}`;
    // enough links that a dump spans several datagrams
    const cmds = Array.from({ length: 300 }, (_, i) => `link add a${i} type veth peer name b${i}`).join("\n");
    execFileSync("ip", ["-n", name, "-batch", "-"], { input: cmds });
  });
  afterAll(() => ns.cleanup());

  it("a batch whose every request fails reports each error, however many outgrow the receive queue", async () => {
    const s = NetlinkSocket.open({ protocol: NETLINK_ROUTE, netnsPath: path });
    try {
      const b = s.batch();
      const results = Array.from({ length: 1000 }, () => b.add(delMissing));
      const outcome = await b.send();
      expect(outcome.ok).toBe(0);
      expect(outcome.errors).toHaveLength(1000);
      expect(outcome.errors.map((e) => e.request?.index)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
      await expect(results[999]).rejects.toMatchObject({ code: "ENODEV" });
    } finally {
      s.close();
    }
  });

  it("a batch that cannot be sent rejects every queued request, not only send()", async () => {
    const s = NetlinkSocket.open({ protocol: NETLINK_ROUTE, netnsPath: path });
    const b = s.batch();
    const queued = b.add(delMissing);
    s.close();
    await expect(b.send()).rejects.toMatchObject({ code: "EBADF" });
    expect(await settledOrPending(queued)).toBe("rejected");
  });

  it("a dump abandoned by a throwing decoder does not leave the socket refusing dumps (EBUSY)", async () => {
    const s = NetlinkSocket.open({ protocol: NETLINK_ROUTE, netnsPath: path });
    try {
      let seen = 0;
      const boom = new Error("decoder failed");
      await expect(s.dump(getLinks, () => { if (++seen === 3) throw boom; return 0; })).rejects.toBe(boom);
      expect(await s.dump(getLinks, () => 0)).toHaveLength(601);
    } finally {
      s.close();
    }
  });
});
