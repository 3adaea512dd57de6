// The sock_diag tables against the installed UAPI headers: every attribute number, constant,
// struct size and field offset is compiled from linux/inet_diag.h, sock_diag.h, unix_diag.h and tcp.h.
import { describe, expect, it } from "vitest";
import type { StructDef } from "../../../src/netlink/struct.js";
import {
  inetDiagAttrs, inetDiagBcOp, inetDiagHostcond, inetDiagMeminfo, inetDiagMsg, inetDiagReqAttrs, inetDiagReqV2, INET_DIAG_BC,
  INET_DIAG_EXT, SOCK_DESTROY, SOCK_DIAG_BY_FAMILY, TCP_CA_STATE, tcpBbrInfo, tcpDctcpInfo, tcpInfo, TCPI_OPT, tcpvegasInfo,
  UDIAG_SHOW, unixDiagAttrs, unixDiagMsg, unixDiagReq,
} from "../../../src/sockdiag/table.js";
import { cCompiler, uapiValues } from "../../helpers/uapi.js";

const HEADERS = ["stddef.h", "linux/sock_diag.h", "linux/inet_diag.h", "linux/unix_diag.h", "linux/tcp.h"];

const snake = (k: string) => k.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
const sockid = (f: string) => ({ sport: "id.idiag_sport", dport: "id.idiag_dport", src: "id.idiag_src", dst: "id.idiag_dst", if: "id.idiag_if", cookie0: "id.idiag_cookie" })[f];

/** [our struct, its C type, our field name → the C member (undefined: not addressable, e.g. a bit field)] */
const LAYOUTS: Array<[StructDef, string, (field: string) => string | undefined]> = [
  [inetDiagReqV2, "struct inet_diag_req_v2", (f) => sockid(f) ?? (f === "rawProtocol" ? "pad" : f === "cookie1" ? undefined : `${f === "states" || f === "ext" ? "idiag" : "sdiag"}_${f}`)],
  [inetDiagMsg, "struct inet_diag_msg", (f) => sockid(f) ?? (f === "cookie1" ? undefined : `idiag_${f}`)],
  [unixDiagReq, "struct unix_diag_req", (f) => (f === "cookie0" ? "udiag_cookie" : f === "cookie1" ? undefined : f === "family" || f === "protocol" ? `sdiag_${f}` : `udiag_${f}`)],
  [unixDiagMsg, "struct unix_diag_msg", (f) => (f === "cookie0" ? "udiag_cookie" : f === "cookie1" ? undefined : `udiag_${f}`)],
  [tcpInfo, "struct tcp_info", (f) => (f === "wscale" || f === "flags" ? undefined : `tcpi_${snake(f)}`)],
  [inetDiagMeminfo, "struct inet_diag_meminfo", (f) => `idiag_${f}`],
  [tcpvegasInfo, "struct tcpvegas_info", (f) => `tcpv_${f}`],
  [tcpDctcpInfo, "struct tcp_dctcp_info", (f) => `dctcp_${snake(f)}`],
  [tcpBbrInfo, "struct tcp_bbr_info", (f) => `bbr_${snake(f)}`],
  [inetDiagBcOp, "struct inet_diag_bc_op", (f) => f],
  [inetDiagHostcond, "struct inet_diag_hostcond", (f) => snake(f)],
];

describe.skipIf(!cCompiler())("sock_diag tables equal the UAPI headers", () => {
  it("attribute numbers and constants", () => {
    const expected: Array<[string, number]> = [];
    for (const set of [inetDiagAttrs, inetDiagReqAttrs, unixDiagAttrs]) for (const d of set.defs()) expected.push([d.uapi, d.type]);
    expected.push(["SOCK_DIAG_BY_FAMILY", SOCK_DIAG_BY_FAMILY], ["SOCK_DESTROY", SOCK_DESTROY]);
    for (const [k, v] of Object.entries(UDIAG_SHOW)) expected.push([`UDIAG_SHOW_${k}`, v]);
    for (const [k, v] of Object.entries(INET_DIAG_BC)) expected.push([`INET_DIAG_BC_${k}`, v]);
    for (const [k, v] of Object.entries(INET_DIAG_EXT)) expected.push([`INET_DIAG_${k}`, v]);
    const optNames: Record<string, string> = { ts: "TIMESTAMPS", ecnseen: "ECN_SEEN" };
    for (const [k, v] of TCPI_OPT) expected.push([`TCPI_OPT_${optNames[k] ?? k.toUpperCase()}`, v]);
    const caNames: Record<string, string> = { open: "Open", disorder: "Disorder", cwr: "CWR", recovery: "Recovery", loss: "Loss" };
    for (const [k, v] of TCP_CA_STATE.values) expected.push([`TCP_CA_${caNames[k]}`, v]);
    const got = uapiValues(HEADERS, expected.map(([n]) => n));
    expect(expected.filter(([n, v]) => got.get(n) !== v).map(([n, v]) => `${n}: table ${v}, header ${got.get(n)}`)).toEqual([]);
    expect(expected.length).toBeGreaterThan(60);
  });

  it("struct sizes and field offsets", () => {
    const expected: Array<[string, number]> = [];
    for (const [def, c, member] of LAYOUTS) {
      expected.push([`sizeof(${c})`, def.size]);
      for (const f of def.fields) {
        const m = member(f.name);
        if (m !== undefined) expected.push([`offsetof(${c}, ${m})`, f.offset]);
      }
    }
    const got = uapiValues(HEADERS, expected.map(([n]) => n));
    expect(expected.filter(([n, v]) => got.get(n) !== v).map(([n, v]) => `${n}: table ${v}, header ${got.get(n)}`)).toEqual([]);
    expect(expected.length).toBeGreaterThan(100);
  });
});
