import { describe, expect, it } from "vitest";
import * as C from "../../../src/netlink/constants.js";
import * as RT from "../../../src/rtnl/types.js";
import { cCompiler, uapiValues } from "../../helpers/uapi.js";

// The core's numbers, checked against the kernel headers by compiling them.
const describeCc = cCompiler() ? describe : describe.skip;

describeCc("netlink.h and rtnetlink.h numbers", () => {
  it("every constant in src/netlink/constants.ts equals the header's", () => {
    const names = Object.keys(C).filter((k) => /^(NETLINK_|NLM_F_|NLMSG_|NLMSGERR_ATTR_|NLA_F_)/.test(k) && k !== "NLMSG_HDRLEN");
    const values = uapiValues(["linux/netlink.h"], names);
    for (const n of names) expect([n, (C as Record<string, unknown>)[n]]).toEqual([n, values.get(n)]);
    expect(names.length).toBeGreaterThan(40);
  });

  it("rtnetlink message types and families", () => {
    const names = Object.keys(RT).filter((k) => /^(RTM_|AF_)/.test(k) && k !== "RTM_NAMES");
    const values = uapiValues(["linux/rtnetlink.h", "sys/socket.h"], names);
    for (const n of names) expect([n, (RT as Record<string, unknown>)[n]]).toEqual([n, values.get(n)]);
    for (const [num, name] of RT.RTM_NAMES) expect([name, num]).toEqual([name, values.get(name)]);
  });
});
