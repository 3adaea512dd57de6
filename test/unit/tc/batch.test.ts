// rt.tc in a batch: the queued changes go out together, each one tc's bytes (the batch asks for
// an ack on a chunk's last request only), and each verb's promise settles with its own outcome.
import { describe, expect, it } from "vitest";
import { NLM_F_ACK } from "../../../src/netlink/constants.js";
import { NetlinkError } from "../../../src/netlink/errors.js";
import { reply, ScriptedTransport } from "../../../src/netlink/scripted.js";
import { Rtnl } from "../../../src/rtnl/rtnl.js";
import { hexdiff, loadGolden, normalizeNl } from "../../helpers/golden.js";
import { answerLookup } from "../../helpers/rtnl-capture.js";
import { commandRequest, TC_DEVICES } from "../../helpers/tc-golden.js";

const withoutAck = (b: Buffer) => {
  const c = normalizeNl(b);
  c.writeUInt16LE(c.readUInt16LE(6) & ~NLM_F_ACK, 6);
  return c;
};

describe("rt.tc in a batch", () => {
  it("sends each queued change as tc does and settles each on its own", async () => {
    const sent: Buffer[] = [];
    const transport = new ScriptedTransport((req) => {
      const lookup = answerLookup(req, TC_DEVICES);
      if (lookup) return lookup;
      sent.push(req.bytes);
      // the kernel refuses the second one (a clsact already there)
      return sent.length === 2 ? [reply.error(17, req)] : undefined;
    });
    const rt = Rtnl.openSync({ transport });
    try {
      const b = rt.batch();
      const htb = b.tc.qdisc.add({ dev: "va", parent: "root", handle: "1:", kind: "htb", htb: { default: 0x10 } });
      const clsact = b.tc.qdisc.add({ dev: "va", kind: "clsact" });
      const filters = b.tc.filter.del({ dev: "va", parent: "ingress" });
      await b.send().catch(() => undefined);
      const outcomes = await Promise.allSettled([htb, clsact, filters]);
      expect(sent.length).toBe(3);
      for (const [i, name] of ["qdisc-add-htb", "qdisc-add-clsact", "filter-del-all"].entries()) {
        expect(hexdiff(withoutAck(commandRequest(loadGolden(`tc/${name}`))), withoutAck(sent[i]!)), name).toBe("");
      }
      expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
      expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(NetlinkError);
      expect(((outcomes[1] as PromiseRejectedResult).reason as NetlinkError).errno).toBe(17);
    } finally {
      rt.close();
    }
  });
});
