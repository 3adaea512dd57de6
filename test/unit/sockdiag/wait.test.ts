// waitListening through the scripted transport: it asks the kernel (filtered to the port) until a
// listener is there, and stops on the deadline or the signal; bad options send nothing.
import { describe, expect, it } from "vitest";
import { NLM_F_MULTI } from "../../../src/netlink/constants.js";
import { NlkitInputError, NlkitTimeoutError } from "../../../src/netlink/errors.js";
import { decodeMessage, encodeBody } from "../../../src/netlink/message.js";
import { reply, ScriptedTransport, type ScriptedRequest } from "../../../src/netlink/scripted.js";
import { NlWriter } from "../../../src/netlink/writer.js";
import { inetDiagMsgDef, inetDiagReqDef } from "../../../src/sockdiag/table.js";
import { SockDiag } from "../../../src/sockdiag/verbs.js";
import { waitListening } from "../../../src/sockdiag/wait.js";
import { compileFilter } from "../../../src/sockdiag/bytecode.js";

function listener(port: number): Buffer {
  const w = new NlWriter(128);
  const src = Buffer.alloc(16);
  encodeBody(w, inetDiagMsgDef, { family: 2, state: 10, sport: port, dport: 0, src, dst: Buffer.alloc(16), inode: 7, cookie0: 9, cookie1: 0 }, {});
  return reply.message(20, w.take(), NLM_F_MULTI);
}

const empty = () => [reply.done()];

function scripted(answer: (req: ScriptedRequest, n: number) => Buffer[] | undefined) {
  let n = 0;
  const t = new ScriptedTransport((req) => answer(req, n++));
  return { t, sd: SockDiag.open({ transport: t, timeoutMs: 1000 }) };
}

describe("waitListening", () => {
  it("asks again until the port has a listener, and resolves with it", async () => {
    // two empty polls (IPv4 and IPv6 each), then the listener appears in the IPv4 dump
    const { t, sd } = scripted((_r, n) => (n === 4 ? [reply.datagram(listener(8080)), reply.done()] : empty()));
    const found = await waitListening(await sd, { port: 8080 });
    expect(found).toEqual([expect.objectContaining({ state: "LISTEN", local: { address: "0.0.0.0", port: 8080 }, inode: 7 })]);
    // the dump after the listener showed up (IPv6) is part of the same poll
    expect(t.sent).toHaveLength(6);
    for (const r of t.sent) {
      const m = decodeMessage(r.bytes, 0, r.bytes.length, inetDiagReqDef);
      expect(m.header).toMatchObject({ protocol: 6, states: 1 << 10 });
      expect(m.attrs.bytecode).toEqual(compileFilter({ sport: 8080 }));
    }
  });

  it("udp waits for a bound socket (UNCONN) of one family, bound inside a prefix", async () => {
    const { t, sd } = scripted(() => [reply.datagram(listener(53)), reply.done()]);
    await waitListening(await sd, { port: 53, proto: "udp", family: 6, address: "::/0" });
    const m = decodeMessage(t.sent[0]!.bytes, 0, t.sent[0]!.bytes.length, inetDiagReqDef);
    expect(t.sent).toHaveLength(1);
    expect(m.header).toMatchObject({ family: 10, protocol: 17, states: 1 << 7 });
    expect(m.attrs.bytecode).toEqual(compileFilter({ src: "::/0", sport: 53 }));
  });

  it("gives up at the deadline with NlkitTimeoutError", async () => {
    const { t, sd } = scripted(() => empty());
    const e = await waitListening(await sd, { port: 9, timeoutMs: 30 }).catch((x) => x);
    expect(e).toBeInstanceOf(NlkitTimeoutError);
    expect(e.message).toMatch(/nothing listening on tcp port 9 within 30 ms/);
    expect(t.sent.length).toBeGreaterThanOrEqual(2);
  });

  it("stops on the signal with its reason", async () => {
    const ac = new AbortController();
    const { t, sd } = scripted((_r, n) => {
      if (n === 1) setImmediate(() => ac.abort(new Error("stop")));
      return empty();
    });
    await expect(waitListening(await sd, { port: 9, signal: ac.signal })).rejects.toThrow("stop");
    expect(t.sent.length).toBeGreaterThanOrEqual(2);
  });

  it("refuses bad options before sending anything", async () => {
    const { t, sd } = scripted(() => empty());
    const h = await sd;
    for (const bad of [{ port: 0 }, { port: 70000 }, { port: 1.5 }, { port: 80, proto: "sctp" }, { port: 80, bogus: 1 }, { port: 80, timeoutMs: -1 }, { port: 80, family: 5 }, { port: 80, address: "nope" }]) {
      await expect(waitListening(h, bad as never)).rejects.toBeInstanceOf(NlkitInputError);
    }
    expect(t.sent).toEqual([]);
  });
});
