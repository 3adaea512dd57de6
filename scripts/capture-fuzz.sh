#!/usr/bin/env bash
# Captures the fuzz corpus, test/fixtures/fuzz/*.json: the kernel's replies to dumps of one rich
# topology, recorded with strace while iproute2 and nft read it, inside throwaway namespaces
# (nlkit-fuzzcap-<pid>-a and -b), never in the root namespace.
#
#   sudo scripts/capture-fuzz.sh
#
# Needs root, strace, iproute2 and nftables. CI never runs this: the fuzz test reads the committed
# fixtures (same format as test/fixtures/golden, see its README). Mutated copies of these replies
# are what scripts/fuzz.ts feeds to every decoder.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PFX=nlkit-fuzzcap-$$
NS=$PFX-a NS2=$PFX-b
TMP=$(mktemp -d /tmp/nlkit-fuzzcap.XXXXXX)
CAPS=$TMP/caps
mkdir -p "$CAPS"
STRACE=(strace -f -yy -qq -e trace=sendmsg,sendto,recvmsg,recvfrom -e write=all -e read=all -s 0 -xx)
IPROUTE=$(ip -V | sed -n 's/.*\(iproute2-[^ ,]*\).*/\1/p')
NFTVER=$(nft --version | awk '{print $1" "$2}')

cleanup() {
  ip netns del "$NS" 2>/dev/null || true
  ip netns del "$NS2" 2>/dev/null || true
  if [[ -n ${KEEP:-} ]]; then echo "capture-fuzz: kept $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for t in strace ip nft bridge; do command -v $t >/dev/null || { echo "capture-fuzz: $t not found" >&2; exit 1; }; done
[[ $(id -u) -eq 0 ]] || { echo "capture-fuzz: must run as root" >&2; exit 1; }

ip netns add "$NS"
ip netns add "$NS2"
inns() { ip netns exec "$NS" "$@"; }
for s in "$NS" "$NS2"; do
  ip netns exec "$s" sh -c 'for k in all default; do sysctl -qw net.ipv6.conf.$k.accept_dad=0; done'
done

# ---------------------------------------------------------------- the topology
TOPO=(
  "ip link set lo up"
  # set before the veth below would make the kernel pick one
  "ip netns set $NS2 7"
  # a veth whose peer lives in the other namespace (IFLA_LINK_NETNSID), with an alias and an altname
  "ip link add veth0 type veth peer name veth0p netns $NS2"
  "ip link set veth0 alias uplink"
  "ip link property add dev veth0 altname uplink0"
  "ip link set veth0 up"
  "ip -n $NS2 link set veth0p up"
  # a bridge with two veth ports and a vxlan port
  "ip link add br0 type bridge stp_state 1 forward_delay 400 hello_time 200 ageing_time 30000 priority 100"
  "ip link add p1 type veth peer name p1p"
  "ip link add p2 type veth peer name p2p"
  "ip link set p1 master br0"
  "ip link set p2 master br0"
  "ip link set p1 type bridge_slave cost 7 priority 3 learning off"
  "ip link add vx0 type vxlan id 42 dev veth0 local 10.1.0.1 dstport 4789 ttl 64 nolearning"
  "ip link set vx0 master br0"
  "ip link add vx6 type vxlan id 43 group ff05::100 dev veth0 local fd00::1 dstport 4790 ttl 5"
  "ip link set br0 up"
  "ip link set p1 up"
  "ip link set p1p up"
  "ip link set p2 up"
  "ip link set vx0 up"
  # macvlan and macvtap on the veth; tun and tap
  "ip link add mv0 link veth0 type macvlan mode bridge"
  "ip link add mvt0 link veth0 type macvtap mode vepa"
  "ip link set mv0 up"
  "ip tuntap add tun0 mode tun"
  "ip tuntap add tap0 mode tap multi_queue"
  "ip link set tap0 mtu 1400 txqueuelen 50"
  # addresses of both families: label, broadcast, secondary, peer, lifetimes, noprefixroute
  "ip addr add 10.1.0.1/24 brd + dev veth0 label veth0:1"
  "ip addr add 10.1.0.9/24 dev veth0"
  "ip addr add 2001:db8:1::1/64 dev veth0 nodad"
  "ip addr add fd00::1/64 dev veth0 nodad"
  "ip addr add 10.2.0.1 peer 10.2.0.2/32 dev p1"
  "ip addr add 10.3.0.1/24 dev br0 valid_lft 1000 preferred_lft 500"
  "ip addr add 2001:db8:3::1/64 dev br0 nodad valid_lft 2000 preferred_lft 1000"
  "ip addr add 10.4.0.1/24 dev mv0 noprefixroute"
  # routes in main, 100 and 1000: via, dev, metrics, src, multipath, blackhole, unreachable,
  # prohibit, throw, an IPv4 route via an IPv6 next hop, IPv6 routes with pref and expiry
  "ip route add 10.10.0.0/16 via 10.1.0.254 dev veth0 src 10.1.0.1"
  "ip route add 10.11.0.0/16 dev veth0 table 100 metric 50 mtu lock 1400 advmss 1360"
  "ip route add 10.12.0.0/16 dev br0 table 1000 proto static scope link"
  "ip route add default table 100 nexthop via 10.1.0.254 dev veth0 weight 2 nexthop via 10.3.0.254 dev br0 weight 1"
  "ip route add 10.14.0.0/16 nexthop via 10.1.0.253 dev veth0 nexthop via 10.3.0.253 dev br0 onlink"
  "ip route add blackhole 10.66.0.0/16"
  "ip route add unreachable 10.67.0.0/16 table 100"
  "ip route add prohibit 10.68.0.0/16 table 1000"
  "ip route add throw 10.69.0.0/16 table 100"
  "ip route add 10.20.0.0/16 via inet6 fe80::1 dev veth0"
  "ip -6 route add 2001:db8:99::/48 via 2001:db8:1::fe dev veth0 metric 10 pref high"
  "ip -6 route add 2001:db8:98::/48 nexthop via 2001:db8:1::fe dev veth0 nexthop via 2001:db8:3::fe dev br0"
  "ip -6 route add blackhole 2001:db8:66::/48 table 100"
  "ip -6 route add 2001:db8:97::/48 dev veth0 expires 300"
  # neighbours (permanent, stale, router, proxy) and fdb entries (bridge port, vxlan remotes)
  "ip neigh add 10.1.0.254 lladdr 02:00:00:00:00:fe dev veth0 nud permanent"
  "ip neigh add 10.1.0.253 lladdr 02:00:00:00:00:fd dev veth0 nud stale"
  "ip -6 neigh add 2001:db8:1::fe lladdr 02:00:00:00:01:fe dev veth0 router nud permanent"
  "ip neigh add proxy 10.1.0.77 dev veth0"
  "ip -6 neigh add proxy 2001:db8:1::77 dev veth0"
  "bridge fdb add 02:00:00:00:02:01 dev p1 master static"
  "bridge fdb append 00:00:00:00:00:00 dev vx0 dst 192.0.2.7 self permanent"
  "bridge fdb append 00:00:00:00:00:00 dev vx0 dst 192.0.2.9 self permanent"
  "bridge fdb add 02:00:00:00:02:02 dev vx0 dst 192.0.2.8 vni 100 port 4800 self permanent"
  # rules: from, to, fwmark/mask, iif+oif, not, uidrange, ipproto+ports, suppress, goto, tun_id,
  # an action, tos, proto; and IPv6 ones
  "ip rule add from 10.1.0.0/24 table 100 priority 100"
  "ip rule add to 10.12.0.0/16 table 1000 priority 101"
  "ip rule add fwmark 0x10/0xff table 100 priority 102"
  "ip rule add iif veth0 oif br0 table main priority 103"
  "ip rule add not from 10.9.0.0/16 lookup 100 priority 104"
  "ip rule add uidrange 1000-2000 table 100 priority 105"
  "ip rule add ipproto tcp dport 80-90 sport 1000 table 100 priority 106"
  "ip rule add table main suppress_prefixlength 0 priority 107"
  "ip rule add goto 110 priority 108"
  "ip rule add table 100 priority 110"
  "ip rule add tun_id 7 table 100 priority 111"
  "ip rule add from 10.50.0.0/16 prohibit priority 112"
  "ip rule add tos 0x10 table 100 priority 113"
  "ip rule add from 10.60.0.0/16 proto static table 100 priority 114"
  "ip -6 rule add from 2001:db8:1::/64 table 100 priority 100"
  "ip -6 rule add to 2001:db8:99::/48 fwmark 0x7 table 1000 priority 101"
  # nftables: every family, base chains, named sets (interval, timeout, concatenated keys), maps,
  # anonymous sets, counters, NAT, ct, meta, limit, log, reject, comments
  "nft -f $TMP/ruleset.nft"
)

cat >"$TMP/ruleset.nft" <<'NFT'
table ip nat {
	map dnatmap {
		type inet_service : ipv4_addr
		elements = { 8080 : 10.1.0.5, 8443 : 10.1.0.6 }
	}
	chain prerouting {
		type nat hook prerouting priority -100; policy accept;
		iifname "veth0" tcp dport 2222 dnat to 10.1.0.5:22
		iifname "veth0" dnat to tcp dport map @dnatmap
	}
	chain postrouting {
		type nat hook postrouting priority 100; policy accept;
		ip saddr 10.3.0.0/24 oifname != "br0" masquerade
		ip saddr 10.4.0.0/24 snat to 10.1.0.1
	}
}
table ip filter {
	set blocked {
		type ipv4_addr
		flags interval
		elements = { 192.0.2.0/28, 198.51.100.7, 203.0.113.0-203.0.113.99 }
	}
	set seen {
		type ipv4_addr . inet_service
		flags timeout
		timeout 1h
		elements = { 10.1.0.5 . 22 timeout 30m, 10.1.0.6 . 443 }
	}
	set ports {
		type inet_service
		size 64
		elements = { 22, 80, 443 }
	}
	map verdicts {
		type ipv4_addr : verdict
		elements = { 10.9.0.1 : drop, 10.9.0.2 : accept }
	}
	chain input {
		type filter hook input priority 0; policy drop;
		ct state established,related accept
		ct state invalid counter drop
		iifname "lo" accept
		ip saddr @blocked counter drop comment "blocklist"
		ip saddr vmap @verdicts
		tcp dport @ports accept
		tcp dport { 8000-8100, 9000 } accept
		ip protocol icmp limit rate 10/second accept
		udp dport 53 log prefix "dns " accept
		meta l4proto tcp reject with tcp reset
		ip saddr . tcp dport @seen accept
	}
	chain forward {
		type filter hook forward priority 0; policy accept;
		meta mark 0x10 jump marked
		ip daddr 10.66.0.0/16 reject with icmp host-unreachable
	}
	chain marked {
		meta mark set 0x20 counter return
	}
}
table ip6 filter6 {
	chain input {
		type filter hook input priority 10; policy accept;
		ip6 saddr 2001:db8:1::/64 icmpv6 type echo-request accept
		ip6 nexthdr tcp tcp dport 22 counter accept
	}
}
table inet mixed {
	chain output {
		type filter hook output priority 0; policy accept;
		meta nfproto ipv4 ip ttl 1 drop
		meta skuid 1000 counter accept
		ct mark 0x5 accept
	}
}
table bridge br {
	chain forward {
		type filter hook forward priority 0; policy accept;
		ether saddr 02:00:00:00:00:01 drop
	}
}
table netdev ingress {
	chain veth0 {
		type filter hook ingress device "veth0" priority 0; policy accept;
		ip saddr 192.0.2.0/24 drop
	}
}
NFT

for c in "${TOPO[@]}"; do
  inns sh -c "$c" || { echo "capture-fuzz: setup failed: $c" >&2; exit 1; }
done
# an address and neighbour in the peer namespace make the link dump of $NS2 differ too
ip -n "$NS2" addr add 10.1.0.254/24 dev veth0p

# cap NAME COMMAND: COMMAND traced inside $NS; its replies become test/fixtures/fuzz/NAME.json
cap() {
  local name=$1 cmd=$2 d=$CAPS/fuzz__$1 rc=0
  mkdir -p "$d"
  printf '%s\n' "${TOPO[@]}" >"$d/setup"
  printf '%s\n' "$cmd" >"$d/command"
  uname -r >"$d/kernel"
  case $cmd in nft*) echo "$NFTVER" ;; *) echo "$IPROUTE" ;; esac >"$d/tool"
  [[ -n ${3:-} ]] && printf '%s\n' "$3" >"$d/notes"
  (cd "$d" && inns "${STRACE[@]}" -o "$d/trace" -- sh -c "exec $cmd" >"$d/stdout" 2>"$d/stderr") || rc=$?
  echo "$rc" >"$d/rc"
  printf '  %-22s rc=%s  %s\n' "$name" "$rc" "$cmd" >&2
}

cap link-stats "ip -s -s -d link show" "IFLA_EXT_MASK asks for VF info and stats: every attribute the kernel has for these links."
cap link-peer "ip -d -n $NS2 link show" "The other namespace: veth0p, its peer in the first, with IFLA_LINK_NETNSID."
cap addr "ip -d addr show"
cap route4 "ip -d route show table all"
cap route6 "ip -d -6 route show table all"
cap route-get "ip route get 10.14.0.1 mark 0x10 uid 1000" "RTM_GETROUTE's single reply (RTA_MARK, RTA_UID)."
cap route-fibmatch "ip route get fibmatch 10.14.0.1"
cap neigh "ip neigh show"
cap neigh6 "ip -6 neigh show"
cap neigh-proxy "ip neigh show proxy"
cap fdb "bridge fdb show"
cap rule4 "ip rule show"
cap rule6 "ip -6 rule show"
cap nsid "ip netns list-id"
cap nft-ruleset "nft list ruleset"
cap error-extack "ip route add 10.99.0.0/24 via 192.0.2.254" "NLMSG_ERROR with an extack message (the gateway is unreachable)."
cap error-echo "ip link add veth0 type veth" "NLMSG_ERROR EEXIST echoing the whole request, no extack."
cap ack "ip link set lo up" "A plain ack (NLM_F_CAPPED)."

(cd "$ROOT" && npx tsx scripts/strace-to-fixture.ts "$CAPS" "$ROOT/test/fixtures")
