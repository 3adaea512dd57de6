// filter.list's narrowing by protocol when the device holds filters of protocols tc has no name
// for: those read back as "[N]" and must neither break the listing nor match another protocol.
import { describe, expect, it } from "vitest";
import { encodeAttrs } from "../../../src/netlink/attrs.js";
import { NLM_F_MULTI } from "../../../src/netlink/constants.js";
import { reply } from "../../../src/netlink/scripted.js";
import { encodeStruct } from "../../../src/netlink/struct.js";
import { NlWriter } from "../../../src/netlink/writer.js";
import { filterMessage } from "../../../src/rtnl/tc/filter/index.js";
import { protocolName, protocolNumber } from "../../../src/rtnl/tc/handle.js";
import { RTM_NEWTFILTER } from "../../../src/rtnl/tc/table.js";
import { TcApi } from "../../../src/rtnl/tc/verbs.js";
import { loadGolden } from "../../helpers/golden.js";
import { captureRtnl } from "../../helpers/rtnl-capture.js";
import { fixturePsched, TC_DEVICES } from "../../helpers/tc-golden.js";

/** A priority head of kind u32 under ingress (ffff:), as the kernel dumps it. */
function head(pref: number, protocol: number): Buffer {
  const w = new NlWriter(64);
  encodeStruct(w, filterMessage.header, { ifindex: 3, handle: 0, parent: 0xffff0000, info: (pref << 16) | (((protocol & 0xff) << 8) | (protocol >> 8)) });
  encodeAttrs(w, filterMessage.attrs, { kind: "u32" });
  return reply.message(RTM_NEWTFILTER, w.take(), NLM_F_MULTI);
}

describe("tc filter list", () => {
  it("narrows by protocol past filters of unnamed protocols, which read back as [N]", async () => {
    const dump = [head(1, 0x88f7), head(2, 0x0800), head(3, 0x88f7)];
    const { ctx, exec } = captureRtnl(TC_DEVICES, [[reply.datagram(...dump, reply.done())], [reply.datagram(...dump, reply.done())]]);
    const tc = new TcApi(ctx, exec, () => fixturePsched(loadGolden("tc/qdisc-show")));
    expect((await tc.filter.list({ dev: "va", protocol: "ip" })).map((f) => f.pref)).toEqual([2]);
    const ptp = await tc.filter.list({ dev: "va", protocol: 0x88f7 });
    expect(ptp.map((f) => [f.pref, f.protocol])).toEqual([[1, "[35063]"], [3, "[35063]"]]);
  });

  it("a protocol read back is input again", () => {
    for (const n of [0x0003, 0x0800, 0x86dd, 0x88f7, 0xffff]) expect(protocolNumber(protocolName(n))).toBe(n);
  });
});
