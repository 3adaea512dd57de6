import { describe, expect, it } from "vitest";
import { CTRL_CMD, ctrlAttrs, ctrlMcastGrpAttrs, ctrlOpAttrs, GENL_ID_CTRL, GENL_OP_FLAGS, genlmsghdr } from "../../../src/genl/table.js";
import { NETLINK_GENERIC } from "../../../src/netlink/constants.js";
import { cCompiler, uapiValues } from "../../helpers/uapi.js";

const expected: Array<[string, number]> = [];
for (const s of [ctrlAttrs, ctrlOpAttrs, ctrlMcastGrpAttrs]) for (const d of s.defs()) expected.push([d.uapi, d.type]);
for (const [k, v] of Object.entries(CTRL_CMD)) expected.push([`CTRL_CMD_${k}`, v]);
for (const [k, v] of Object.entries(GENL_OP_FLAGS)) expected.push([`GENL_${k}`, v]);
expected.push(["GENL_ID_CTRL", GENL_ID_CTRL], ["GENL_HDRLEN", genlmsghdr.size], ["NETLINK_GENERIC", NETLINK_GENERIC]);

describe.skipIf(!cCompiler())("generic netlink numbers equal linux/genetlink.h", () => {
  const values = uapiValues(["linux/genetlink.h"], expected.map(([n]) => n));
  it(`checks ${expected.length} constants`, () => {
    const wrong = expected.filter(([n, v]) => values.get(n) !== v).map(([n, v]) => `${n}: table ${v}, header ${values.get(n)}`);
    expect(wrong).toEqual([]);
  });
});
