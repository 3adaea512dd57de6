// nlkit bridge fdb's grammar without a kernel: the requests a line sends (through the scripted
// transport) and bridge's refusals, for words the live test cannot reach on every kernel.
import { describe, expect, it } from "vitest";
import { fdbMac, parseFdbModify, parseFdbShow } from "../../../src/cli/bridge.js";
import { Cli } from "../../../src/cli/context.js";
import { Args, UsageError } from "../../../src/cli/grammar.js";
import { runCommand } from "../../../src/cli/main.js";
import { fdbText } from "../../../src/cli/print/bridge.js";
import { decodeAttrs } from "../../../src/netlink/attrs.js";
import { ndmsg } from "../../../src/rtnl/headers.js";
import { decodeStruct } from "../../../src/netlink/struct.js";
import { ndaAttrs } from "../../../src/rtnl/neigh/table.js";
import type { Rtnl } from "../../../src/rtnl/rtnl.js";
import { captureRtnl } from "../../helpers/rtnl-capture.js";

const words = (line: string) => new Args(line.split(" "));

async function sent(line: string): Promise<{ header: Record<string, unknown>; attrs: Record<string, unknown>; flags: number }[]> {
  const { rt, sent } = captureRtnl({ vx0: 4, veth0: 3, br0: 2, p1: 5 });
  const cli = new Cli({ json: false, pretty: false, details: false, stats: 0, oneline: false, force: false });
  (cli as unknown as { handle: Rtnl }).handle = rt;
  await runCommand(cli, ["bridge", ...line.split(" ")]);
  return sent.map(({ req }) => ({
    flags: req.flags,
    header: decodeStruct(req.payload, 0, ndmsg.size, ndmsg),
    attrs: decodeAttrs(req.payload, ndmsg.size, req.payload.length, ndaAttrs),
  }));
}

describe("bridge fdb lines", () => {
  it("reads a MAC as bridge's sscanf does: short fields, anything after the sixth ignored", () => {
    expect(fdbMac("2:0:0:0:0:1")).toBe("02:00:00:00:00:01");
    expect(fdbMac("1:2:3:4:5:6:7")).toBe("01:02:03:04:05:06");
    expect(fdbMac("0x1:2:3:4:5:106")).toBe("01:02:03:04:05:06");
    expect(fdbMac("zz:00:00:00:00:01")).toBeUndefined();
    expect(fdbMac("02:00:00:00:00")).toBeUndefined();
  });

  it("computes bridge's state and flags: NOARP unless dynamic, permanent unless static or dynamic, self unless master", () => {
    expect(parseFdbModify(words("02:00:00:00:00:01 dev vx0")).spec).toMatchObject({ state: 0xc0 });
    expect(parseFdbModify(words("02:00:00:00:00:01 dev p1 master static")).spec).toMatchObject({ state: 0x42, master: true });
    expect(parseFdbModify(words("02:00:00:00:00:01 dev p1 dyn")).spec).toMatchObject({ state: 0x02 });
    expect(parseFdbModify(words("02:00:00:00:00:01 dev p1 m r u e sti")).spec).toMatchObject({ master: true, router: true, use: true, extern: true, sticky: true });
    expect(parseFdbModify(words("to 02:00:00:00:00:01 dev vx0 port 0x12b6 vni 0 src_vni 010")).spec).toMatchObject({ port: 4790, vni: 0, srcVni: 8 });
    // a port of 0 is not sent, as bridge leaves it out
    expect(parseFdbModify(words("02:00:00:00:00:01 dev vx0 port 0")).spec.port).toBeUndefined();
  });

  it("refuses as bridge refuses", () => {
    const refusal = (line: string) => {
      try {
        parseFdbModify(words(line));
      } catch (e) {
        expect(e).toBeInstanceOf(UsageError);
        return (e as Error).message;
      }
      return "accepted";
    };
    expect(refusal("02:00:00:00:00:01")).toBe("Device and address are required arguments.");
    expect(refusal("02:00:00:00:00:01 dev vx0 nhid 3 vni 5")).toBe("dst, port, vni are mutually exclusive with nhid");
    expect(refusal("02:00:00:00:00:01 dev vx0 port -1")).toBe('Error: argument "-1" is wrong: invalid port\n');
    expect(refusal("02:00:00:00:00:01 dev vx0 vni 16777216")).toBe('Error: argument "16777216" is wrong: invalid VNI\n');
    expect(refusal("02:00:00:00:00:01 dev vx0 02:00:00:00:00:02")).toBe('Error: either "to" is duplicate, or "02:00:00:00:00:02" is a garbage.');
    expect(refusal("02:00:00:00:00:0g dev vx0 x")).toBe('Error: either "to" is duplicate, or "x" is a garbage.');
    expect(refusal("0g:00:00:00:00:01 dev vx0")).toBe("Invalid mac address 0g:00:00:00:00:01");
  });

  it("reads show's filters, skipping words it does not know", () => {
    expect(parseFdbShow(words("br br0 brport p1 vlan 5x state static state 0x80 dynamic whatever"))).toEqual({ br: "br0", dev: "p1", vlan: 5, state: 0xc0, dynamic: true });
    expect(() => parseFdbShow(words("state 08"))).toThrow('Error: argument "08" is wrong: invalid state');
  });

  it("sends nhid, router and use, which the vxlan and bridge take", async () => {
    const [m] = await sent("fdb add 02:00:00:00:00:01 dev vx0 nhid 7 router use");
    expect(m!.header).toMatchObject({ family: 7, ifindex: 4, state: 0xc0, flags: 0x83 });
    expect(m!.attrs).toEqual({ lladdr: "02:00:00:00:00:01", nhId: 7 });
  });

  it("sends append, replace and a master entry's VLAN", async () => {
    const [a] = await sent("fdb append 00:00:00:00:00:00 dev vx0 dst 10.0.0.7 via veth0");
    expect(a!.flags & 0xf00).toBe(0x400 | 0x800);
    expect(a!.attrs).toEqual({ lladdr: "00:00:00:00:00:00", dst: "10.0.0.7", ifindex: 3 });
    const [r] = await sent("fdb replace 02:00:00:00:00:01 dev p1 master static vlan 10");
    expect(r!.flags & 0xf00).toBe(0x100 | 0x400);
    expect(r!.header).toMatchObject({ ifindex: 5, state: 0x42, flags: 0x04 });
    expect(r!.attrs).toEqual({ lladdr: "02:00:00:00:00:01", vlan: 10 });
  });

  it("asks the kernel for one bridge's entries with NDA_MASTER (show br)", async () => {
    const [d] = await sent("fdb show br br0 dev p1");
    expect(d!.header).toMatchObject({ family: 7, ifindex: 5 });
    expect(d!.attrs).toEqual({ master: 2 });
  });

  it("prints bridge's text from its JSON: a reachable entry keeps its trailing space, an unknown state is state=0x..", () => {
    expect(fdbText({ mac: "02:00:00:00:00:01", ifname: "vx0", dst: "10.0.0.7", port: 4790, vni: 100, viaIf: "veth0", flags: ["self"], state: "permanent" }))
      .toBe("02:00:00:00:00:01 dev vx0 dst 10.0.0.7 port 4790 vni 100 via veth0 self permanent");
    expect(fdbText({ mac: "02:00:00:00:00:06", used: 1, updated: 2, flags: ["extern_learn"], master: "br0", state: "" })).toBe("02:00:00:00:00:06 used 1/2 extern_learn master br0 ");
    expect(fdbText({ mac: "02:00:00:00:00:07", flags: [], state: "0x10" })).toBe("02:00:00:00:00:07 state=0x10");
  });
});
