// nlkit bridge link without a kernel: the bytes `link set` sends (against bridge(8)'s, read with
// strace -X raw), bridge's C-typed values, the AF_BRIDGE decoding of IFLA_PROTINFO and IFLA_AF_SPEC,
// and text the live test cannot reach (a peer in another namespace, an unnamed state, hwmode).
import { describe, expect, it } from "vitest";
import { parseLinkSet, parseLinkShow } from "../../../src/cli/bridge.js";
import { Cli } from "../../../src/cli/context.js";
import { Args, CliError, UsageError } from "../../../src/cli/grammar.js";
import { runCommand } from "../../../src/cli/main.js";
import { brlinkRecord } from "../../../src/cli/print/bridge.js";
import { NlkitInputError } from "../../../src/netlink/errors.js";
import { reply } from "../../../src/netlink/scripted.js";
import { decodeLink } from "../../../src/rtnl/link/decode.js";
import type { Rtnl } from "../../../src/rtnl/rtnl.js";
import { captureRtnl } from "../../helpers/rtnl-capture.js";

const words = (line: string) => new Args(line.split(" "));
const DEVICES: Record<string, number> = { br0: 2, p1: 4, p2: 6 };

async function sent(line: string) {
  const { rt, sent } = captureRtnl(DEVICES);
  const cli = new Cli({ json: false, pretty: false, details: false, stats: 0, oneline: false, force: false });
  (cli as unknown as { handle: Rtnl }).handle = rt;
  await runCommand(cli, ["bridge", ...line.split(" ")]);
  return sent.map(({ req }) => req);
}

/** One attribute: header, payload, padding. */
function nla(type: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt16LE(4 + payload.length, 0);
  h.writeUInt16LE(type, 2);
  const pad = Buffer.alloc((4 - (payload.length % 4)) % 4);
  return Buffer.concat([h, payload, pad]);
}
const u8 = (v: number) => Buffer.from([v]);
const u16 = (v: number) => { const b = Buffer.alloc(2); b.writeUInt16LE(v); return b; };
const u32 = (v: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(v); return b; };
function ifinfomsg(family: number, index: number, flags = 0): Buffer {
  const b = Buffer.alloc(16);
  b[0] = family;
  b.writeInt32LE(index, 4);
  b.writeUInt32LE(flags, 8);
  return b;
}

const NESTED = 0x8000;
const lookup = async (dev: string) => DEVICES[dev] ?? 0;

describe("bridge link set", () => {
  it("sends bridge's bytes: RTM_SETLINK, AF_BRIDGE, IFLA_PROTINFO|NLA_F_NESTED in bridge's order", async () => {
    const [req] = await sent("link set dev p1 guard on hairpin off cost 5 priority 3 state 3 locked off mcast_router 2 flood of");
    expect(req!.type).toBe(19);
    expect(req!.flags & 0xf).toBe(0x5);
    // strace -X raw of bridge 6.1 for the same line: guard, mode, unicast_flood, multicast_router, cost, priority, state, locked
    const inner = Buffer.concat([nla(5, u8(1)), nla(4, u8(0)), nla(9, u8(0)), nla(25, u8(2)), nla(3, u32(5)), nla(2, u16(3)), nla(1, u8(3)), nla(39, u8(0))]);
    expect(req!.payload.toString("hex")).toBe(Buffer.concat([ifinfomsg(7, 4), nla(12 | NESTED, inner)]).toString("hex"));
  });

  it("sends an empty IFLA_PROTINFO for a line with nothing to change, as bridge does", async () => {
    const [req] = await sent("link set dev p1 cost 0 priority 99999");
    expect(req!.payload.toString("hex")).toBe(Buffer.concat([ifinfomsg(7, 4), nla(12 | NESTED, Buffer.alloc(0))]).toString("hex"));
  });

  it("sends the newer options and backup_port after the flags", async () => {
    const [req] = await sent("link set dev p1 isolated on learning off neigh_suppress on backup_port p2");
    const inner = Buffer.concat([nla(8, u8(0)), nla(32, u8(1)), nla(33, u8(1)), nla(34, u32(6))]);
    expect(req!.payload.subarray(16).toString("hex")).toBe(nla(12 | NESTED, inner).toString("hex"));
  });

  it("cuts values to bridge's C types and leaves out what bridge leaves out", async () => {
    expect((await parseLinkSet(words("dev p1 priority 99999 cost 0 state -1 mcast_router -1"), lookup)).opts).toEqual({});
    expect((await parseLinkSet(words("dev p1 cost -1 priority 65539 state 300"), lookup)).opts).toEqual({ cost: 0xffffffff, priority: 3, state: 44 });
    expect((await parseLinkSet(words("dev p1 cost 12abc state 2 mcast_router 258"), lookup)).opts).toEqual({ cost: 12, state: 2, mcastRouter: 2 });
    expect((await parseLinkSet(words("dev p1 guard o hairpin on flood of nobackup_port"), lookup)).opts).toEqual({ guard: false, hairpin: true, flood: false, backupPort: null });
    expect((await parseLinkSet(words("dev p1 dev p2 state blocking"), lookup))).toEqual({ dev: "p2", opts: { state: 4 } });
  });

  it("refuses as bridge refuses, with its exit status", async () => {
    const refusal = async (line: string): Promise<unknown[] | string> =>
      parseLinkSet(words(line), lookup).then(() => "accepted", (e: Error) => [e.constructor.name, e.message, (e as CliError).exitCode]);
    expect(await refusal("dev p1 guard yes")).toEqual([CliError.name, 'Error: argument of "guard" must be one of "off", "on", not "yes"', 234]);
    expect(await refusal("dev p1 state Blocking")).toEqual([CliError.name, "Error: invalid STP port state", 255]);
    expect(await refusal("dev p1 backup_port nosuch0")).toEqual([CliError.name, "Error: device nosuch0 does not exist", 255]);
    expect(await refusal("cost 5")).toEqual([CliError.name, "Device is a required argument.", 255]);
    expect((await refusal("dev p1 hwmode vepa"))[0]).toBe(UsageError.name);
    expect(await refusal("dev p1 cost")).toEqual([UsageError.name, 'Command line is not complete. Try option "help"', 255]);
  });
});

describe("bridge link show", () => {
  it("reads dev and master, skipping other words, refusing a second dev", () => {
    expect(parseLinkShow(words("foo dev p1 bar master br0"))).toEqual({ dev: "p1", master: "br0" });
    expect(() => parseLinkShow(words("dev p1 dev p2"))).toThrow('Error: duplicate "dev": "p2" is the second value.');
  });

  it("asks for the AF_BRIDGE dump with a bare ifinfomsg, as bridge does", async () => {
    const { rt, sent } = captureRtnl(DEVICES);
    expect(await rt.link.list({ family: "bridge" })).toEqual([]);
    expect(sent[0]!.req.payload.toString("hex")).toBe(ifinfomsg(7, 0).toString("hex"));
    await expect(rt.link.list({ family: "bridge", kind: "veth" })).rejects.toBeInstanceOf(NlkitInputError);
  });
});

describe("AF_BRIDGE links", () => {
  const port = (family: number, protinfo: Buffer, more: Buffer[] = []) => {
    const m = reply.message(16, Buffer.concat([ifinfomsg(family, 4, 0x11043), nla(3, Buffer.from("p1\0")), nla(4, u32(1500)), nla(10, u32(2)), protinfo, ...more]));
    return decodeLink(m, 0, m.length);
  };

  it("decodes IFLA_PROTINFO with the bridge port table, unknown attributes kept raw", () => {
    const l = port(7, nla(12 | NESTED, Buffer.concat([nla(1, u8(3)), nla(2, u16(32)), nla(3, u32(2)), nla(4, u8(1)), nla(200, u8(9))])));
    expect(l.protinfo).toMatchObject({ state: "forwarding", priority: 32, cost: 2, mode: 1 });
    expect(l.protinfo!.unknown).toHaveLength(1);
  });

  it("reads an old kernel's bare u8 state, and keeps a broken nest without throwing", () => {
    expect(port(7, nla(12, u8(4))).protinfo).toEqual({ state: "blocking" });
    const broken = port(7, nla(12 | NESTED, Buffer.from([0x09, 0x00, 0x01, 0x00, 0x03])));
    expect(broken.protinfo?.unknown?.[0]?.reason).toMatch(/IFLA_PROTINFO/);
    const odd = port(7, nla(12, u16(4)));
    expect(odd.protinfo).toBeUndefined();
    expect(odd.unknown?.[0]?.reason).toMatch(/IFLA_PROTINFO/);
  });

  it("leaves another family's IFLA_PROTINFO raw in other, and reads AF_BRIDGE's IFLA_AF_SPEC as afSpec.bridge", () => {
    expect(port(10, nla(12 | NESTED, nla(1, u32(0)))).protinfo).toBeUndefined();
    expect(port(10, nla(12 | NESTED, nla(1, u32(0)))).other?.protinfo).toBeInstanceOf(Buffer);
    const hw = port(7, nla(12 | NESTED, nla(1, u8(3))), [nla(26, nla(1, u16(1)))]);
    expect(hw.afSpec).toEqual({ bridge: { mode: 1 } });
  });

  it("prints what bridge prints for a peer elsewhere, no peer, an unnamed state and a hardware mode", () => {
    const names = new Map([[2, { name: "br0", ifiFlags: 1 }], [3, { name: "p1p", ifiFlags: 0 }]]);
    const base = port(7, nla(12 | NESTED, Buffer.concat([nla(1, u8(7)), nla(3, u32(2))])), [nla(26, nla(1, u16(5)))]);
    const o = { details: false, sl: "\n" };
    const elsewhere = brlinkRecord({ ...base, link: 9, linkNetnsid: 0 }, names, o);
    expect(elsewhere.text).toBe("4: p1@if9: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 master br0 state (7) cost 2 hwmode 0x5 \n");
    expect(elsewhere.json).toEqual({ ifindex: 4, link_index: 9, ifname: "p1", flags: ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"], mtu: 1500, master: "br0", state: 7, cost: 2, hwmode: "0x5" });
    expect(brlinkRecord({ ...base, link: 0 }, names, o).json.link).toBeNull();
    const down = brlinkRecord({ ...base, link: 3 }, names, { details: true, sl: "\\" });
    expect(down.text).toBe("4: p1@p1p: <BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN> mtu 1500 master br0 state (7) cost 2 \\    hwmode 0x5 \n");
  });
});
