import { describe, expect, it } from "vitest";
import { batchLines, isBatchable } from "../../../src/cli/batch.js";
import { Args, matches, pick, UsageError, parseUnsigned } from "../../../src/cli/grammar.js";
import { objectName, parseGlobalOptions } from "../../../src/cli/main.js";
import { describeError } from "../../../src/cli/report.js";
import { NetlinkError, NlkitInputError } from "../../../src/netlink/errors.js";
import { netnsArg, parseKindArgs } from "../../../src/cli/link-kinds.js";

describe("prefix matching", () => {
  it("matches like ip's matches(): a non-empty prefix no longer than the keyword", () => {
    expect(matches("sh", "show")).toBe(true);
    expect(matches("show", "show")).toBe(true);
    expect(matches("showx", "show")).toBe(false);
    expect(matches("", "show")).toBe(false);
    expect(matches(undefined, "show")).toBe(false);
  });

  it("resolves objects in ip's order", () => {
    expect(objectName("a")).toBe("address");
    expect(objectName("addr")).toBe("address");
    expect(objectName("r")).toBe("route");
    expect(objectName("ro")).toBe("route");
    expect(objectName("ru")).toBe("rule");
    expect(objectName("n")).toBe("neigh");
    expect(objectName("neighbour")).toBe("neigh");
    expect(objectName("l")).toBe("link");
    expect(objectName("li")).toBe("link");
    expect(objectName("net")).toBe("netns");
    expect(objectName("na")).toBe("nat");
    expect(objectName("links")).toBeUndefined();
    expect(objectName("x")).toBeUndefined();
  });

  it("resolves commands with aliases, first entry winning", () => {
    const table = ["add", ["delete", "del"], ["show", "list", "lst"]] as const;
    expect(pick("a", table)).toBe("add");
    expect(pick("d", table)).toBe("delete");
    expect(pick("ls", table)).toBe("show");
    expect(pick("l", table)).toBe("show");
    expect(pick("x", table)).toBeUndefined();
  });
});

describe("global options", () => {
  it("takes ip's abbreviations", () => {
    const { opts, words } = parseGlobalOptions(["-j", "-p", "-d", "-4", "link", "show"]);
    expect(opts).toMatchObject({ json: true, pretty: true, details: true, family: 4 });
    expect(words).toEqual(["link", "show"]);
    expect(parseGlobalOptions(["-f", "inet6", "r"]).opts.family).toBe(6);
    expect(parseGlobalOptions(["-fo", "-b", "file"]).opts).toMatchObject({ force: true, batch: "file" });
    expect(parseGlobalOptions(["--json", "-s", "-s", "l"]).opts).toMatchObject({ json: true, stats: 2 });
  });

  it("refuses an unknown option and a missing namespace as usage errors (255)", () => {
    expect(() => parseGlobalOptions(["-zzz", "link"])).toThrow(UsageError);
    expect(() => parseGlobalOptions(["-n", "nlkit-no-such-namespace-x", "link"])).toThrow(/Cannot open network namespace "nlkit-no-such-namespace-x"/);
    // ip stops at the -n before a later bad option; the doctor explains a missing namespace itself
    expect(() => parseGlobalOptions(["-n", "nlkit-no-such-namespace-x", "-zzz", "link"])).toThrow(/Cannot open network namespace/);
    expect(parseGlobalOptions(["-n", "nlkit-no-such-namespace-x", "doctor"]).opts.netns).toBe("nlkit-no-such-namespace-x");
    expect(() => parseGlobalOptions(["-n"])).toThrow(UsageError);
    // like ip, -n takes a name under /run/netns, never a path (this one exists)
    expect(() => parseGlobalOptions(["-n", "/proc/self/ns/net", "link"])).toThrow(UsageError);
  });
});

describe("Args and values", () => {
  it("says the line is incomplete when a keyword has no value", () => {
    const a = new Args(["dev"]);
    a.shift();
    expect(() => a.value()).toThrow('Command line is not complete. Try option "help"');
  });

  it("parses numbers as ip's get_unsigned does", () => {
    expect(parseUnsigned("10", "metric")).toBe(10);
    expect(parseUnsigned("0x10", "metric")).toBe(16);
    expect(parseUnsigned("010", "metric")).toBe(8);
    expect(() => parseUnsigned("x", "metric")).toThrow('Error: argument "x" is wrong: "metric" value is invalid');
    expect(() => parseUnsigned("300", "ttl", 255)).toThrow(UsageError);
  });
});

describe("-batch file reading", () => {
  it("splits words, drops comments and blank lines, keeps line numbers, joins continuations", () => {
    const text = "link add a type veth\n\n# a comment\nroute add 10.0.0.0/8 \\\n  dev a # trailing\naddr add 'x y' dev \"z\"\n";
    expect([...batchLines(text)]).toEqual([
      { line: 1, words: ["link", "add", "a", "type", "veth"] },
      { line: 5, words: ["route", "add", "10.0.0.0/8", "dev", "a"] },
      { line: 6, words: ["addr", "add", "x y", "dev", "z"] },
    ]);
  });

  it("batches only route and address changes", () => {
    expect(isBatchable(["route", "add", "10.0.0.0/8", "dev", "x"])).toBe(true);
    expect(isBatchable(["r", "a", "10.0.0.0/8"])).toBe(true);
    expect(isBatchable(["ro", "d", "10.0.0.0/8"])).toBe(true);
    expect(isBatchable(["a", "a", "10.0.0.1/8", "dev", "x"])).toBe(true);
    expect(isBatchable(["route", "show"])).toBe(false);
    expect(isBatchable(["route", "get", "1.1.1.1"])).toBe(false);
    expect(isBatchable(["link", "add", "x", "type", "veth"])).toBe(false);
    expect(isBatchable(["rule", "add", "from", "all"])).toBe(false);
  });
});

describe("error wording and exit statuses", () => {
  it("words kernel errors as ip does and exits 2", () => {
    expect(describeError(new NetlinkError(17))).toEqual({ message: "RTNETLINK answers: File exists", exitCode: 2 });
    expect(describeError(new NetlinkError(95, { message: "Unknown device type" }))).toEqual({ message: "Error: Unknown device type.", exitCode: 2 });
  });

  it("words a missing device and bad input as failures (1), usage as 255", () => {
    expect(describeError(new NetlinkError(19, { message: 'Cannot find device "x"' }))).toEqual({ message: 'Cannot find device "x"', exitCode: 1 });
    expect(describeError(new NlkitInputError("invalid address \"q\""))).toEqual({ message: 'Error: invalid address "q".', exitCode: 1 });
    expect(describeError(new UsageError("Command line is not complete"))).toMatchObject({ exitCode: 255 });
  });

  it("words a libc failure without the errno code suffix", () => {
    const e = Object.assign(new Error('Cannot create namespace file "/run/netns/x": File exists (EEXIST, open)'), { code: "EEXIST", syscall: "open" });
    expect(describeError(e)).toEqual({ message: 'Cannot create namespace file "/run/netns/x": File exists', exitCode: 1 });
  });

  it("marks anything else as an internal error to report", () => {
    const d = describeError(new TypeError("boom"));
    expect(d.internal).toBe(true);
    expect(d.message).toMatch(/internal error: boom .*please report/);
  });
});

describe("link kinds", () => {
  const parse = (kind: string, words: string[]) => {
    const spec: Record<string, unknown> = {};
    parseKindArgs(kind, new Args(words), spec);
    return spec;
  };
  it("maps ip's words to the library's options", () => {
    expect(parse("vxlan", ["id", "42", "remote", "192.0.2.1", "dstport", "4789", "nolearning"])).toEqual({
      vxlan: { id: 42, remote: "192.0.2.1", port: 4789, learning: false },
    });
    expect(parse("veth", ["peer", "name", "v1", "address", "02:00:00:00:00:01"])).toEqual({ peer: { name: "v1", address: "02:00:00:00:00:01" } });
    expect(parse("veth", ["peer", "v1"])).toEqual({ peer: { name: "v1" } });
    expect(parse("macvlan", ["mode", "bridge"])).toEqual({ macvlan: { mode: "bridge" } });
    expect(parse("bridge", ["stp_state", "1", "forward_delay", "400"])).toEqual({ bridge: { stpState: 1, forwardDelay: 400 } });
  });
  it("takes netns as a pid, or like ip's netns_get_fd a path when the word has a '/'", () => {
    expect(netnsArg("1")).toEqual({ netnsPid: 1 });
    expect(parse("veth", ["peer", "v1", "netns", "/proc/self/ns/net"])).toEqual({ peer: { name: "v1", netns: { netnsPath: "/proc/self/ns/net" } } });
  });
  it("refuses unknown words and missing ids like ip", () => {
    expect(() => parse("vxlan", ["foo"])).toThrow('vxlan: unknown command "foo"?');
    expect(() => parse("vxlan", ["remote", "1.2.3.4"])).toThrow("vxlan: missing virtual network identifier");
    expect(() => parse("vxlan", ["id"])).toThrow(UsageError);
  });
});
