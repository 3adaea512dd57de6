// Symbol tables of nft's data types (nftables src/proto.c, ct.c, meta.c, fib.c, datatype.c):
// the names nft prints and accepts, with their values as the type reads them (ether types and ARP
// operations as the big-endian numbers on the wire). The first name of a value is the one printed.
type Table = ReadonlyArray<readonly [string, number]>;

export const SYMBOLS: Record<string, Table> = {
  nfproto: [["ipv4", 2], ["ipv6", 10]],
  ethertype: [["ip", 0x0800], ["arp", 0x0806], ["ip6", 0x86dd], ["8021q", 0x8100], ["8021ad", 0x88a8], ["vlan", 0x8100]],
  arpop: [["request", 1], ["reply", 2], ["rrequest", 3], ["rreply", 4], ["inrequest", 8], ["inreply", 9], ["nak", 10]],
  icmpType: [
    ["echo-reply", 0], ["destination-unreachable", 3], ["source-quench", 4], ["redirect", 5], ["echo-request", 8],
    ["router-advertisement", 9], ["router-solicitation", 10], ["time-exceeded", 11], ["parameter-problem", 12],
    ["timestamp-request", 13], ["timestamp-reply", 14], ["info-request", 15], ["info-reply", 16],
    ["address-mask-request", 17], ["address-mask-reply", 18],
  ],
  icmp6Type: [
    ["destination-unreachable", 1], ["packet-too-big", 2], ["time-exceeded", 3], ["parameter-problem", 4],
    ["echo-request", 128], ["echo-reply", 129], ["mld-listener-query", 130], ["mld-listener-report", 131],
    ["mld-listener-done", 132], ["mld-listener-reduction", 132], ["nd-router-solicit", 133], ["nd-router-advert", 134],
    ["nd-neighbor-solicit", 135], ["nd-neighbor-advert", 136], ["nd-redirect", 137], ["router-renumbering", 138],
    ["ind-neighbor-solicit", 141], ["ind-neighbor-advert", 142], ["mld2-listener-report", 143],
  ],
  igmpType: [
    ["membership-query", 0x11], ["membership-report-v1", 0x12], ["membership-report-v2", 0x16],
    ["membership-report-v3", 0x22], ["leave-group", 0x17],
  ],
  tcpFlag: [["fin", 0x01], ["syn", 0x02], ["rst", 0x04], ["psh", 0x08], ["ack", 0x10], ["urg", 0x20], ["ecn", 0x40], ["cwr", 0x80]],
  ctState: [["invalid", 1], ["new", 8], ["established", 2], ["related", 4], ["untracked", 64]],
  ctStatus: [["expected", 1], ["seen-reply", 2], ["assured", 4], ["confirmed", 8], ["snat", 16], ["dnat", 32], ["dying", 512]],
  ctDir: [["original", 0], ["reply", 1]],
  ctEvent: [
    ["new", 1], ["related", 2], ["destroy", 4], ["reply", 8], ["assured", 16], ["protoinfo", 32], ["helper", 64],
    ["mark", 128], ["seqadj", 256], ["secmark", 512], ["label", 1024],
  ],
  pkttype: [["host", 0], ["unicast", 0], ["broadcast", 1], ["multicast", 2], ["other", 3]],
  arphrd: [["ether", 1], ["ppp", 512], ["ipip", 768], ["ipip6", 769], ["loopback", 772], ["sit", 776], ["ipgre", 778]],
  dscp: [
    ["cs0", 0x00], ["cs1", 0x08], ["cs2", 0x10], ["cs3", 0x18], ["cs4", 0x20], ["cs5", 0x28], ["cs6", 0x30], ["cs7", 0x38],
    ["df", 0x00], ["be", 0x00], ["lephb", 0x01], ["af11", 0x0a], ["af12", 0x0c], ["af13", 0x0e], ["af21", 0x12],
    ["af22", 0x14], ["af23", 0x16], ["af31", 0x1a], ["af32", 0x1c], ["af33", 0x1e], ["af41", 0x22], ["af42", 0x24],
    ["af43", 0x26], ["va", 0x2c], ["ef", 0x2e],
  ],
  ecn: [["not-ect", 0], ["ect1", 1], ["ect0", 2], ["ce", 3]],
  addrtype: [
    ["unspec", 0], ["unicast", 1], ["local", 2], ["broadcast", 3], ["anycast", 4], ["multicast", 5], ["blackhole", 6],
    ["unreachable", 7], ["prohibit", 8],
  ],
  icmpCode: [
    ["net-unreachable", 0], ["host-unreachable", 1], ["prot-unreachable", 2], ["port-unreachable", 3],
    ["net-prohibited", 9], ["host-prohibited", 10], ["admin-prohibited", 13], ["frag-needed", 4],
  ],
  icmpv6Code: [
    ["no-route", 0], ["admin-prohibited", 1], ["addr-unreachable", 3], ["port-unreachable", 4], ["policy-fail", 5],
    ["reject-route", 6],
  ],
  icmpxCode: [["port-unreachable", 1], ["admin-prohibited", 3], ["no-route", 0], ["host-unreachable", 2]],
  boolean: [["exists", 1], ["missing", 0]],
};
