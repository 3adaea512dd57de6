import { describe, expect, it } from "vitest";
import { NLMSG_ERROR } from "../../../src/netlink/constants.js";
import { NetlinkError } from "../../../src/netlink/errors.js";
import { forEachMessage, parseErrorPayload, readHeader } from "../../../src/netlink/message.js";
import { NlWriter } from "../../../src/netlink/writer.js";
import { reply, ScriptedTransport } from "../../../src/netlink/scripted.js";
import { NetlinkSocket } from "../../../src/netlink/socket.js";
import { loadGolden } from "../../helpers/golden.js";

/** Every NLMSG_ERROR in a fixture's replies, parsed. */
function errorsOf(name: string) {
  const g = loadGolden(name);
  const out: ReturnType<typeof parseErrorPayload>[] = [];
  for (const d of g.replies) {
    forEachMessage(d, d.length, (s, l) => {
      if (readHeader(d, s).type === NLMSG_ERROR) out.push(parseErrorPayload(d, s, l));
    });
  }
  return { g, errors: out };
}

describe("NLMSG_ERROR and extended acks, from the kernel's own bytes", () => {
  it("reads the extack message of a refused link kind", () => {
    const { errors } = errorsOf("rtnl/link-add-dummy");
    const last = errors.at(-1)!;
    expect(last.errno).toBe(95);
    expect(last.extack.message).toBe("Unknown device type");
    expect(last.request?.type).toBe(16);
  });

  it("reads the extack of a bad gateway and an offset-only extack", () => {
    expect(errorsOf("rtnl/route-add-bad-gateway").errors.at(-1)!.extack.message).toBe("Nexthop has invalid gateway");
    const nft = errorsOf("nft/table-delete-missing").errors.find((e) => e.errno !== 0)!;
    expect(nft.errno).toBe(2);
    expect(nft.extack.message).toBeUndefined();
    expect(nft.extack.offset).toBe(20);
  });

  it("treats a capped ack as success with the echoed header", () => {
    const { g, errors } = errorsOf("seed/link-set-up");
    const ack = errors.at(-1)!;
    expect(ack.errno).toBe(0);
    const req = g.requests.at(-1)!;
    expect(ack.request).toMatchObject({ type: req.readUInt16LE(4), seq: req.readUInt32LE(8) });
  });

  it("parses extack TLVs after a DONE of a failed dump (no echoed header)", () => {
    const w = new NlWriter();
    const m = w.beginMessage(3, 0x2 | 0x200, 7, 0);
    w.s32(-22);
    w.attrString(1, "Invalid header for link dump");
    w.attrU32(2, 20);
    w.endMessage(m);
    const b = w.take();
    expect(parseErrorPayload(b, 0, b.length)).toEqual({ errno: 22, extack: { message: "Invalid header for link dump", offset: 20 } });
  });

  it("words errors like iproute2 and keeps the codes", () => {
    expect(new NetlinkError(17).message).toBe("RTNETLINK answers: File exists (EEXIST)");
    const e = new NetlinkError(95, { message: "Unknown device type" }, { type: 16, typeName: "RTM_NEWLINK" });
    expect(e.message).toBe("Error: Unknown device type (EOPNOTSUPP, RTM_NEWLINK)");
    expect(e.code).toBe("EOPNOTSUPP");
    expect(e.kernelMessage).toBe("Unknown device type");
  });

  it("words a refusal of another protocol as ethtool does, not as rtnetlink's", () => {
    expect(new NetlinkError(2, {}, { type: 16, protocol: 16 }).message).toBe("netlink error: No such file or directory (ENOENT, type 16)");
    expect(new NetlinkError(2, {}, { type: 16, protocol: 0, typeName: "RTM_NEWLINK" }).message).toBe("RTNETLINK answers: No such file or directory (ENOENT, RTM_NEWLINK)");
    expect(new NetlinkError(2, { message: "no such family" }, { type: 16, protocol: 16 }).message).toBe("Error: no such family (ENOENT, type 16)");
  });

  it("a socket names its protocol in the request a refusal answers", async () => {
    const sock = new NetlinkSocket(new ScriptedTransport((req) => [reply.error(2, req)]), { protocol: 16 });
    const err = await sock.request({ type: 28 }).catch((x: unknown) => x) as NetlinkError;
    expect(err.request).toMatchObject({ type: 28, protocol: 16 });
    expect(err.message).toBe("netlink error: No such file or directory (ENOENT, type 28)");
  });
});
