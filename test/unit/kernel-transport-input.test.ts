// What KernelTransport takes from its caller is checked before any syscall: a missing or wrong
// number would otherwise reach the FFI, which rejects it with an untyped error of its own.
import { describe, expect, it } from "vitest";
import { NETLINK_ROUTE } from "../../src/netlink/constants.js";
import { NlkitInputError } from "../../src/netlink/errors.js";
import { NetlinkMonitor } from "../../src/netlink/monitor.js";
import { NetlinkSocket } from "../../src/netlink/socket.js";
import { KernelTransport } from "../../src/netlink/transport.js";

const field = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(NlkitInputError);
    return (e as NlkitInputError).field;
  }
  throw new Error("did not throw");
};

describe("KernelTransport's options", () => {
  it("refuses a missing, fractional or out-of-range protocol with NlkitInputError", () => {
    for (const protocol of [undefined, -1, 32, 1.5, Number.NaN, "0"]) {
      expect(field(() => new KernelTransport({ protocol } as unknown as { protocol: number })), String(protocol)).toBe("protocol");
    }
    // JavaScript callers reach it through the public openers too
    expect(field(() => NetlinkMonitor.open({ groups: [1] } as unknown as { protocol: number; groups: number[] }, () => 0))).toBe("protocol");
  });

  it("refuses a group that is not a positive integer, when opening or joining", () => {
    for (const g of [0, -3, 2 ** 32, 1.5, Number.NaN]) {
      expect(field(() => NetlinkSocket.open({ protocol: NETLINK_ROUTE, groups: [g] })), String(g)).toBe("groups");
    }
    const t = new KernelTransport({ protocol: NETLINK_ROUTE });
    try {
      expect(field(() => t.joinGroup(0))).toBe("groups");
      t.joinGroup(1); // RTNLGRP_LINK: anyone may listen
      t.leaveGroup(1);
    } finally {
      t.close();
    }
  });
});

describe("namespace options", () => {
  it("a bare name where an options object belongs is refused, not taken as the current namespace", async () => {
    const { Rtnl } = await import("../../src/rtnl/rtnl.js");
    const { Nft } = await import("../../src/nft/nft.js");
    const { Conntrack } = await import("../../src/conntrack/verbs.js");
    for (const open of [() => Rtnl.openSync("ns1" as never), () => Nft.openSync("ns1" as never)]) {
      expect(field(open)).toBe("netns");
    }
    await expect(Conntrack.open("ns1" as never)).rejects.toMatchObject({ name: "NlkitInputError", field: "netns" });
  });
});
