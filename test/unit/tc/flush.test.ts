// qdisc.flush and class.flush from what the kernel dumped: the device's own root and ingress
// qdiscs (not the kernel's defaults), and classes children first, each in its own delete.
import { describe, expect, it } from "vitest";
import { decodeMessage } from "../../../src/netlink/message.js";
import { classMessage, qdiscMessage } from "../../../src/rtnl/tc/qdisc/index.js";
import { RTM_DELQDISC, RTM_DELTCLASS, RTM_GETQDISC, RTM_GETTCLASS, RTM_NEWTCLASS } from "../../../src/rtnl/tc/table.js";
import { NLM_F_MULTI } from "../../../src/netlink/constants.js";
import { TcApi } from "../../../src/rtnl/tc/verbs.js";
import { loadGolden } from "../../helpers/golden.js";
import { captureRtnl } from "../../helpers/rtnl-capture.js";
import { commandReplies, fixturePsched, TC_DEVICES } from "../../helpers/tc-golden.js";
import { NlWriter } from "../../../src/netlink/writer.js";
import { encodeStruct } from "../../../src/netlink/struct.js";
import { encodeAttrs } from "../../../src/netlink/attrs.js";
import { reply } from "../../../src/netlink/scripted.js";

const header = (b: Buffer) => decodeMessage(b, 0, b.length, qdiscMessage).header as { ifindex: number; handle: number; parent: number };

/** An RTM_NEWTCLASS of kind htb with no options: enough for flush to see the tree. */
function htbClass(handle: number, parent: number): Buffer {
  const w = new NlWriter(64);
  encodeStruct(w, classMessage.header, { ifindex: 3, handle, parent });
  encodeAttrs(w, classMessage.attrs, { kind: "htb" });
  return reply.message(RTM_NEWTCLASS, w.take(), NLM_F_MULTI);
}

describe("tc flush", () => {
  it("qdisc.flush deletes the root htb and the clsact, not what hangs below", async () => {
    const g = loadGolden("tc/qdisc-show-json");
    const { ctx, exec, sent } = captureRtnl(TC_DEVICES, [commandReplies(g)]);
    const n = await new TcApi(ctx, exec, () => fixturePsched(g)).qdisc.flush({ dev: "va" });
    expect(n).toBe(2);
    expect(sent.map((s) => s.req.type)).toEqual([RTM_GETQDISC, RTM_DELQDISC, RTM_DELQDISC]);
    const dels = sent.slice(1).map((s) => header(s.bytes));
    expect(dels).toEqual(expect.arrayContaining([
      expect.objectContaining({ ifindex: 3, parent: 0xffffffff, handle: 0x10000 }),
      expect.objectContaining({ ifindex: 3, parent: 0xfffffff1 }),
    ]));
  });

  it("class.flush deletes children before their parents", async () => {
    const dump = [htbClass(0x10001, 0xffffffff), htbClass(0x10010, 0x10001), htbClass(0x10011, 0x10010), htbClass(0x10020, 0x10001)];
    const { ctx, exec, sent } = captureRtnl(TC_DEVICES, [[reply.datagram(...dump, reply.done())]]);
    const n = await new TcApi(ctx, exec, () => fixturePsched(loadGolden("tc/qdisc-show"))).class.flush({ dev: "va" });
    expect(n).toBe(4);
    expect(sent[0]!.req.type).toBe(RTM_GETTCLASS);
    const order = sent.slice(1).map((s) => (expect(s.req.type).toBe(RTM_DELTCLASS), header(s.bytes).handle));
    const at = (h: number) => order.indexOf(h);
    expect(order.length).toBe(4);
    expect(at(0x10011)).toBeLessThan(at(0x10010));
    expect(at(0x10010)).toBeLessThan(at(0x10001));
    expect(at(0x10020)).toBeLessThan(at(0x10001));
  });
});
