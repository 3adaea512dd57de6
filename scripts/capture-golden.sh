#!/usr/bin/env bash
# Regenerates test/fixtures/golden/** from scratch by running ip, bridge and nft under strace
# inside throwaway network namespaces (nlkit-golden-<pid>-*), never in the root namespace.
#
#   sudo scripts/capture-golden.sh            # every group
#   sudo scripts/capture-golden.sh seed nft   # only these groups (their old fixtures are removed)
#
# Needs root, strace, iproute2, nftables and node (the sockdiag group's sockets). CI never runs this: tests read committed fixtures.

# Needs root, strace, iproute2 and nftables (and ethtool for the ethtool group). CI never runs
# this: tests read committed fixtures.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/test/fixtures/golden
PFX=nlkit-golden-$$
TMP=$(mktemp -d /tmp/nlkit-golden.XXXXXX)
CAPS=$TMP/caps
mkdir -p "$CAPS"
KERNEL=$(uname -r)
IPROUTE=$(ip -V | sed -n 's/.*\(iproute2-[^ ,]*\).*/\1/p')
NFTVER=$(nft --version | awk '{print $1" "$2}')
SSVER=$(ss -V | sed -n 's/.*\(iproute2-[^ ,]*\).*/\1/p')

ETHTOOLVER=$(command -v ethtool >/dev/null && ethtool --version | awk '{print $1" "$3}' || echo "ethtool ?")
STRACE=(strace -f -yy -qq -e trace=sendmsg,sendto,recvmsg,recvfrom -e write=all -e read=all -s 0 -xx)
BGPIDS=()
BPFFS=""   # a bpffs mounted under $TMP for the tc bpf captures (never /sys/fs/bpf)

cleanup() {
  local p ns
  for p in "${BGPIDS[@]:-}"; do [[ -n $p ]] && kill "$p" 2>/dev/null || true; done
  [[ -n $BPFFS ]] && umount "$BPFFS" 2>/dev/null || true
  for ns in $(ip netns list | awk '{print $1}'); do
    [[ $ns == "$PFX"-* ]] && ip netns del "$ns" 2>/dev/null || true
  done
  if [[ -n ${KEEP:-} ]]; then echo "capture-golden: kept $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for t in strace ip nft; do command -v $t >/dev/null || { echo "capture-golden: $t not found" >&2; exit 1; }; done
[[ $(id -u) -eq 0 ]] || { echo "capture-golden: must run as root" >&2; exit 1; }

WANT=("$@")
want() { [[ ${#WANT[@]} -eq 0 ]] && return 0; local g; for g in "${WANT[@]}"; do [[ $g == "$1" ]] && return 0; done; return 1; }

N=0
# Per-capture knobs, reset after each cap:
SETUP=()   # commands run (not traced) in NS before the command; @NS@ @NS2@ expand
NOTES=""   # free text copied into the fixture
INPUT=""   # when set, written to input.nft in the working directory of setup and command
PID2=0     # 1: start a sleeper in NS2 and expand @PID2@ to its pid
PEERS=""   # a test/helpers/sockdiag-peers.mjs plan (JSON): those sockets are made in NS before setup

expand() {
  local s=$1
  s=${s//@NS@/$NS}; s=${s//@NS2@/$NS2}; s=${s//@PID2@/${SLEEPER:-}}
  printf '%s' "$s"
}

# cap GROUP NAME COMMAND: fresh namespaces, setup, then COMMAND traced inside NS.
cap() {
  local group=$1 name=$2 cmd=$3
  want "$group" || { SETUP=(); NOTES=""; INPUT=""; PID2=0; PEERS=""; return 0; }
  N=$((N + 1))
  NS=$PFX-$N-a NS2=$PFX-$N-b SLEEPER= PEERPID=
  local d=$CAPS/${group}__${name} s line
  mkdir -p "$d"
  for s in "$NS" "$NS2"; do
    ip netns add "$s"
    # No DAD: addresses and link-locals are never "tentative", so JSON output is stable.
    ip netns exec "$s" sh -c 'for k in all default; do sysctl -qw net.ipv6.conf.$k.accept_dad=0; done'
  done
  if [[ $PID2 == 1 ]]; then
    ip netns exec "$NS2" sleep 300 &
    SLEEPER=$!
    BGPIDS+=("$SLEEPER")
    sleep 0.2
  fi
  [[ -n $INPUT ]] && printf '%s\n' "$(expand "$INPUT")" >"$d/input" && cp "$d/input" "$d/input.nft"
  : >"$d/setup"
  for s in "${SETUP[@]}"; do
    line=$(expand "$s")
    echo "$line" >>"$d/setup"
    (cd "$d" && ip netns exec "$NS" sh -c "$line") || { echo "capture-golden: setup failed for $group/$name: $line" >&2; exit 1; }
  done
  if [[ -n $PEERS ]]; then
    # sockets owned by a plain node process; it prints one "ready" line once they all exist
    ip netns exec "$NS" node "$ROOT/test/helpers/sockdiag-peers.mjs" "$(expand "$PEERS")" >"$d/peers" &
    PEERPID=$!
    BGPIDS+=("$PEERPID")
    for _ in $(seq 100); do grep -q '"ready"' "$d/peers" 2>/dev/null && break; sleep 0.1; done
    grep -q '"ready"' "$d/peers" || { echo "capture-golden: peers did not start for $group/$name: $(cat "$d/peers")" >&2; exit 1; }
  fi
  cmd=$(expand "$cmd")
  printf '%s\n' "$cmd" >"$d/command"
  [[ -n $NOTES ]] && printf '%s\n' "$(expand "$NOTES")" >"$d/notes"
  [[ $cmd == *" -j "* || $cmd == *" -j" || $cmd == *" --json "* ]] && echo 1 >"$d/json"
  uname -r >"$d/kernel"
  case $cmd in nft*) echo "$NFTVER" ;; ss*) echo "$SSVER" ;; *) echo "$IPROUTE" ;; esac >"$d/tool"

  case $cmd in nft*) echo "$NFTVER" ;; *conntrack\ *) conntrack --version ;; *) echo "$IPROUTE" ;; esac >"$d/tool"

  case $cmd in nft*) echo "$NFTVER" ;; ethtool*) echo "$ETHTOOLVER" ;; *) echo "$IPROUTE" ;; esac >"$d/tool"
  local rc=0
  (cd "$d" && ip netns exec "$NS" "${STRACE[@]}" -o "$d/trace" -- sh -c "exec $cmd" >"$d/stdout" 2>"$d/stderr") || rc=$?
  echo "$rc" >"$d/rc"
  printf '  %-32s rc=%s  %s\n' "$group/$name" "$rc" "$cmd" >&2
  if [[ -n $SLEEPER ]]; then kill "$SLEEPER" 2>/dev/null || true; wait "$SLEEPER" 2>/dev/null || true; fi
  if [[ -n $PEERPID ]]; then kill "$PEERPID" 2>/dev/null || true; wait "$PEERPID" 2>/dev/null || true; rm -f "/tmp/$NS.sock"; fi
  ip netns del "$NS"; ip netns del "$NS2"
  SETUP=(); NOTES=""; INPUT=""; PID2=0; PEERS=""
}

VETH=("ip link add veth1 type veth peer name veth2")

# ---------------------------------------------------------------- seed: the tutorial's commands
cap seed link-add-veth "ip link add veth1 type veth peer name veth2"
cap seed link-add-veth0 "ip link add veth0 type veth peer name veth1"
SETUP=("ip link add veth0 type veth peer name veth1")
cap seed link-del-veth0 "ip link del veth0"
SETUP=("${VETH[@]}")
NOTES="requests[0] is ip's name lookup of veth1 (RTM_GETLINK with IFLA_IFNAME, on a second socket); the RTM_NEWADDR is last."
cap seed addr-add "ip addr add 10.0.0.1/24 dev veth1"
SETUP=("${VETH[@]}")
cap seed link-set-up "ip link set veth1 up"
SETUP=("ip link add veth0 type veth peer name veth1" "ip link set veth0 up" "ip link set veth1 up")
NOTES="requests[0] is ip's name lookup of veth0 (RTM_GETLINK); the RTM_NEWROUTE is last."
cap seed route-add-dev "ip route add 10.0.0.0/24 dev veth0"
SETUP=("ip link add veth0 type veth peer name veth1" "ip addr add 10.0.0.2/24 dev veth0" "ip link set veth0 up" "ip link set veth1 up")
cap seed route-add-default "ip route add default via 10.0.0.1"
SETUP=("${VETH[@]}")
NOTES="@NS2@ is a named namespace; ip opens /run/netns/@NS2@ and sends the descriptor number in IFLA_NET_NS_FD (u32, attribute 28). That number is only meaningful inside the ip process that sent it: compare it as 'some fd' (4 in this capture), not by value."
cap seed link-set-netns "ip link set veth1 netns @NS2@"
cap seed link-add-bridge "ip link add br0 type bridge"
SETUP=("ip link add br0 type bridge" "ip link add veth1-br type veth peer name veth2-br")
NOTES="The first requests are ip's name lookups (RTM_GETLINK by IFLA_IFNAME) of the device and of the master; the RTM_NEWLINK with IFLA_MASTER is last."
cap seed link-set-master "ip link set veth1-br master br0"

# ---------------------------------------------------------------- dump: a known topology
# lo; veth0 whose peer lives in NS2 (link_netnsid); br0 with ports p1, p2; vxlan vx0; macvlan mv0;
# v4+v6 addresses (label, broadcast); routes in main, table 100 and 1000, one multipath; neighbours;
# a rule. MACs are fixed so link-locals and JSON are stable.
TOPO=(
  "ip link set lo up"
  "ip link add veth0 address 02:00:00:00:00:01 type veth peer name veth0p address 02:00:00:00:00:02 netns @NS2@"
  "ip link add br0 address 02:00:00:00:00:10 type bridge"
  "ip link add p1 address 02:00:00:00:00:11 type veth peer name p1p address 02:00:00:00:00:12"
  "ip link add p2 address 02:00:00:00:00:13 type veth peer name p2p address 02:00:00:00:00:14"
  "ip link set p1 master br0"
  "ip link set p2 master br0"
  "ip link add vx0 address 02:00:00:00:00:20 type vxlan id 42 local 192.0.2.2 dstport 4789 dev veth0 ttl 64 nolearning"
  "ip link add mv0 link veth0 address 02:00:00:00:00:30 type macvlan mode bridge"
  "for l in veth0 br0 p1 p1p p2 p2p vx0 mv0; do ip link set \$l up; done"
  "ip -n @NS2@ link set veth0p up"
  "ip addr add 10.0.0.1/24 brd + dev veth0 label veth0:main"
  "ip addr add 2001:db8::1/64 dev veth0 nodad"
  "ip addr add 10.1.0.1/24 brd + dev br0"
  "ip addr add 2001:db8:1::1/64 dev br0 nodad"
  "ip route add 10.2.0.0/24 via 10.0.0.2"
  "ip route add 10.3.0.0/24 dev br0 table 100"
  "ip route add 10.4.0.0/24 via 10.0.0.2 table 1000"
  "ip route add 10.5.0.0/24 nexthop via 10.0.0.2 weight 1 nexthop via 10.1.0.2 weight 2"
  "ip -6 route add 2001:db8:2::/64 via 2001:db8::2 metric 256"
  "ip neigh add 10.0.0.2 lladdr 02:00:00:00:00:02 dev veth0 nud permanent"
  "ip neigh add 10.1.0.2 lladdr 02:00:00:00:00:12 dev br0 nud reachable"
  "ip -6 neigh add 2001:db8::2 lladdr 02:00:00:00:00:02 dev veth0 nud permanent"
  "ip rule add from 10.0.0.0/8 table 100 pref 1000"
)
DUMPNOTE="The JSON in \"json\" is what ip printed from exactly these reply bytes (same run). Counters in the link dump are whatever they were at capture time. Replies keep the datagram boundaries the kernel used."
dumpcap() { SETUP=("${TOPO[@]}"); NOTES="$DUMPNOTE${2:+ $2}"; cap dump "$1" "$3"; }
dumpcap link-show-all "" "ip -j -d link show"
dumpcap addr-show-all "ip fetches the link list (RTM_GETLINK dump) before the RTM_GETADDR dump." "ip -j -d addr show"
dumpcap route-show-all "" "ip -j -d route show table all"
dumpcap route6-show "" "ip -j -6 route show"
dumpcap neigh-show "" "ip -j neigh show"
dumpcap rule-show "" "ip -j rule show"

# ---------------------------------------------------------------- rtnl: one request kind each
V0=("ip link add veth0 type veth peer name veth1")
V0UP=("${V0[@]}" "ip link set lo up" "ip link set veth0 up" "ip link set veth1 up")
V0ADDR=("${V0UP[@]}" "ip addr add 10.0.0.2/24 dev veth0" "ip addr add 2001:db8::2/64 dev veth0 nodad")
NSFD="IFLA_NET_NS_FD carries the number of the fd ip opened on /run/netns/@NS2@; it only means something inside that ip process."
UNSUP="This kernel lacks the module for this kind: the request is complete, the reply is the kernel's error (with extack text when it gave one)."

# links
NOTES="$NSFD"
cap rtnl link-add-veth-peer-opts "ip link add va address 02:00:00:00:01:01 type veth peer name vb address 02:00:00:00:01:02 mtu 1400 netns @NS2@"
NOTES="Bridge VLAN filtering is not supported by this kernel: expect an error reply."
cap rtnl link-add-bridge-opts "ip link add br0 type bridge stp_state 1 forward_delay 400 vlan_filtering 1 vlan_default_pvid 1"
cap rtnl link-add-bridge-stp "ip link add br0 type bridge stp_state 1 forward_delay 400"
SETUP=("${V0[@]}")
cap rtnl link-add-vxlan "ip link add vx0 type vxlan id 42 remote 192.0.2.1 local 192.0.2.2 dstport 4789 dev veth0 ttl 64 nolearning"
SETUP=("${V0[@]}"); NOTES="No dstport: ip warns on stderr and leaves IFLA_VXLAN_PORT out (kernel default 8472)."
cap rtnl link-add-vxlan-group "ip link add vx1 type vxlan id 43 group 239.1.1.1 dev veth0"
SETUP=("${V0[@]}")
cap rtnl link-add-macvlan "ip link add mv0 link veth0 type macvlan mode bridge"
SETUP=("${V0[@]}")
cap rtnl link-add-macvtap "ip link add mvt0 link veth0 type macvtap mode vepa"
SETUP=("${V0[@]}"); NOTES="$UNSUP"
cap rtnl link-add-vlan "ip link add link veth0 name veth0.100 type vlan id 100"
SETUP=("${V0[@]}"); NOTES="$UNSUP"
cap rtnl link-add-ipvlan "ip link add ipv0 link veth0 type ipvlan mode l2"
NOTES="$UNSUP"; cap rtnl link-add-dummy "ip link add dum0 type dummy"
NOTES="$UNSUP"; cap rtnl link-add-bond "ip link add bond0 type bond mode 802.3ad"
NOTES="$UNSUP"; cap rtnl link-add-vrf "ip link add vrf10 type vrf table 10"
NOTES="$UNSUP"; cap rtnl link-add-geneve "ip link add gnv0 type geneve id 5 remote 192.0.2.9"
NOTES="$UNSUP"; cap rtnl link-add-gre "ip link add gre1 type gre local 192.0.2.2 remote 192.0.2.1 ttl 64"
NOTES="$UNSUP"; cap rtnl link-add-gretap "ip link add gretap1 type gretap local 192.0.2.2 remote 192.0.2.1"
NOTES="$UNSUP"; cap rtnl link-add-ipip "ip link add ipip1 type ipip local 192.0.2.2 remote 192.0.2.1"
NOTES="$UNSUP"; cap rtnl link-add-wireguard "ip link add wg0 type wireguard"
SETUP=("${V0[@]}")
cap rtnl link-add-exists "ip link add veth0 type veth peer name veth9"
SETUP=("${V0[@]}"); cap rtnl link-set-up "ip link set veth0 up"
SETUP=("${V0UP[@]}"); cap rtnl link-set-down "ip link set veth0 down"
SETUP=("${V0[@]}"); cap rtnl link-set-mtu "ip link set veth0 mtu 1400"
SETUP=("${V0[@]}"); cap rtnl link-set-name "ip link set veth0 name lan0"
SETUP=("${V0[@]}"); cap rtnl link-set-address "ip link set veth0 address 02:00:00:00:00:aa"
SETUP=("${V0[@]}" "ip link add br0 type bridge"); cap rtnl link-set-master "ip link set veth0 master br0"
SETUP=("${V0[@]}" "ip link add br0 type bridge" "ip link set veth0 master br0"); cap rtnl link-set-nomaster "ip link set veth0 nomaster"
SETUP=("${V0[@]}"); cap rtnl link-set-alias "ip link set veth0 alias uplink"
SETUP=("${V0[@]}"); cap rtnl link-set-txqueuelen "ip link set veth0 txqueuelen 500"
SETUP=("${V0[@]}"); cap rtnl link-set-group "ip link set veth0 group 5"
SETUP=("${V0[@]}"); cap rtnl link-set-multi "ip link set veth0 up mtu 1400 txqueuelen 500"
SETUP=("${V0[@]}"); NOTES="$NSFD"; cap rtnl link-set-netns "ip link set veth0 netns @NS2@"
SETUP=("${V0[@]}"); PID2=1; NOTES="IFLA_NET_NS_PID is the pid of a process (sleep) living in the target namespace; it differs per capture."
cap rtnl link-set-netns-pid "ip link set veth0 netns @PID2@"
SETUP=("${V0[@]}"); cap rtnl link-del "ip link del veth0"
cap rtnl link-del-missing "ip link del nosuch0"
SETUP=("${V0UP[@]}"); cap rtnl link-show-dev "ip link show dev veth0"
SETUP=("${V0UP[@]}"); cap rtnl link-show-dev-json "ip -j -d link show dev veth0"

# addresses
A=("${V0UP[@]}")
SETUP=("${A[@]}"); cap rtnl addr-add-v4 "ip addr add 10.0.0.1/24 dev veth0"
SETUP=("${A[@]}"); cap rtnl addr-add-v6 "ip addr add 2001:db8::1/64 dev veth0 nodad"
SETUP=("${A[@]}"); cap rtnl addr-add-peer "ip addr add 10.0.0.1 peer 10.0.0.2/32 dev veth0"
SETUP=("${A[@]}"); cap rtnl addr-add-brd "ip addr add 10.0.0.1/24 brd + dev veth0"
SETUP=("${A[@]}"); cap rtnl addr-add-label "ip addr add 10.0.0.1/24 dev veth0 label veth0:1"
SETUP=("${A[@]}"); cap rtnl addr-add-scope-link "ip addr add 169.254.1.1/16 dev veth0 scope link"
SETUP=("${A[@]}"); cap rtnl addr-add-lft "ip addr add 10.0.0.1/24 dev veth0 valid_lft 100 preferred_lft 50"
SETUP=("${A[@]}"); cap rtnl addr-add-noprefixroute "ip addr add 10.0.0.1/24 dev veth0 noprefixroute"
SETUP=("${A[@]}" "ip addr add 10.0.0.1/24 dev veth0"); cap rtnl addr-add-exists "ip addr add 10.0.0.1/24 dev veth0"
SETUP=("${A[@]}" "ip addr add 10.0.0.1/24 dev veth0"); cap rtnl addr-replace "ip addr replace 10.0.0.1/24 dev veth0 valid_lft 200 preferred_lft 100"
SETUP=("${A[@]}" "ip addr add 10.0.0.1/24 dev veth0"); cap rtnl addr-del "ip addr del 10.0.0.1/24 dev veth0"
SETUP=("${A[@]}" "ip -6 addr add 2001:db8::1/64 dev veth0 nodad"); cap rtnl addr-del-v6 "ip addr del 2001:db8::1/64 dev veth0"
SETUP=("${V0ADDR[@]}"); cap rtnl addr-show-dev "ip addr show dev veth0"
SETUP=("${V0ADDR[@]}"); cap rtnl addr-show-dev-json "ip -j addr show dev veth0"

# routes
R=("${V0ADDR[@]}")
SETUP=("${R[@]}"); cap rtnl route-add-dev "ip route add 10.1.0.0/24 dev veth0"
SETUP=("${R[@]}"); cap rtnl route-add-v6 "ip -6 route add 2001:db8:1::/64 via 2001:db8::1"
SETUP=("${R[@]}"); cap rtnl route-add-v6-dev "ip route add 2001:db8:5::/64 dev veth0"
SETUP=("${R[@]}"); cap rtnl route-add-via "ip route add 10.1.0.0/24 via 10.0.0.1"
SETUP=("${R[@]}"); cap rtnl route-add-table100 "ip route add 10.1.0.0/24 via 10.0.0.1 table 100"
SETUP=("${R[@]}"); cap rtnl route-add-table1000 "ip route add 10.1.0.0/24 via 10.0.0.1 table 1000"
SETUP=("${R[@]}"); cap rtnl route-add-metric "ip route add 10.1.0.0/24 via 10.0.0.1 metric 50"
SETUP=("${R[@]}"); cap rtnl route-add-src "ip route add 10.1.0.0/24 via 10.0.0.1 src 10.0.0.2"
SETUP=("${R[@]}"); cap rtnl route-add-scope-link "ip route add 10.1.0.0/24 dev veth0 scope link"
SETUP=("${R[@]}"); cap rtnl route-add-blackhole "ip route add blackhole 10.9.0.0/24"
SETUP=("${R[@]}"); cap rtnl route-add-unreachable "ip route add unreachable 10.9.1.0/24"
SETUP=("${R[@]}"); cap rtnl route-add-prohibit "ip route add prohibit 10.9.2.0/24"
SETUP=("${R[@]}"); cap rtnl route-add-throw "ip route add throw 10.9.3.0/24 table 100"
SETUP=("${R[@]}"); cap rtnl route-add-proto-static "ip route add 10.1.0.0/24 via 10.0.0.1 proto static"
SETUP=("${R[@]}"); cap rtnl route-add-onlink "ip route add 10.1.0.0/24 via 192.168.99.1 dev veth0 onlink"
SETUP=("${R[@]}"); cap rtnl route-add-multipath "ip route add 10.1.0.0/24 nexthop via 10.0.0.1 weight 1 nexthop via 10.0.0.3 weight 2"
SETUP=("${R[@]}"); cap rtnl route-add-metrics "ip route add 10.1.0.0/24 via 10.0.0.1 mtu lock 1400 advmss 1360"
SETUP=("${R[@]}"); cap rtnl route-add-bad-gateway "ip route add 10.1.0.0/24 via 192.168.5.1"
SETUP=("${R[@]}" "ip route add 10.1.0.0/24 via 10.0.0.1"); cap rtnl route-add-exists "ip route add 10.1.0.0/24 via 10.0.0.3"
SETUP=("${R[@]}" "ip route add 10.1.0.0/24 via 10.0.0.1"); cap rtnl route-replace "ip route replace 10.1.0.0/24 via 10.0.0.3"
SETUP=("${R[@]}" "ip route add 10.1.0.0/24 via 10.0.0.1"); cap rtnl route-append "ip route append 10.1.0.0/24 via 10.0.0.3"
SETUP=("${R[@]}" "ip route add 10.1.0.0/24 via 10.0.0.1"); cap rtnl route-del "ip route del 10.1.0.0/24 via 10.0.0.1"
SETUP=("${R[@]}"); cap rtnl route-del-missing "ip route del 10.7.0.0/24"
SETUP=("${R[@]}"); cap rtnl route-get "ip route get 10.0.0.5"
SETUP=("${R[@]}"); cap rtnl route-get-json "ip -j route get 10.0.0.5"
SETUP=("${R[@]}" "ip route add 10.1.0.0/24 via 10.0.0.1" "ip route add 10.5.0.0/24 nexthop via 10.0.0.1 weight 1 nexthop via 10.0.0.3 weight 2")
cap rtnl route-show-main "ip route show table main"
SETUP=("${R[@]}" "ip route add 10.1.0.0/24 via 10.0.0.1" "ip route add 10.5.0.0/24 nexthop via 10.0.0.1 weight 1 nexthop via 10.0.0.3 weight 2")
cap rtnl route-show-main-json "ip -j route show table main"

# neighbours
SETUP=("${R[@]}"); cap rtnl neigh-add-permanent "ip neigh add 10.0.0.5 lladdr 02:00:00:00:00:05 dev veth0 nud permanent"
SETUP=("${R[@]}"); cap rtnl neigh-add-v6 "ip -6 neigh add 2001:db8::5 lladdr 02:00:00:00:00:05 dev veth0 nud permanent"
SETUP=("${R[@]}" "ip neigh add 10.0.0.5 lladdr 02:00:00:00:00:05 dev veth0 nud permanent")
cap rtnl neigh-replace "ip neigh replace 10.0.0.5 lladdr 02:00:00:00:00:06 dev veth0 nud reachable"
SETUP=("${R[@]}" "ip neigh add 10.0.0.5 lladdr 02:00:00:00:00:05 dev veth0 nud permanent")
cap rtnl neigh-del "ip neigh del 10.0.0.5 dev veth0"
SETUP=("${R[@]}"); cap rtnl neigh-add-proxy "ip neigh add proxy 10.0.0.7 dev veth0"
VX=("${R[@]}" "ip link add vx0 type vxlan id 42 local 10.0.0.2 dstport 4789 dev veth0 nolearning" "ip link set vx0 up")
SETUP=("${VX[@]}"); cap rtnl neigh-fdb-append-vxlan "bridge fdb append 00:00:00:00:00:00 dev vx0 dst 10.0.0.7"
SETUP=("${VX[@]}" "bridge fdb append 00:00:00:00:00:00 dev vx0 dst 10.0.0.7" "bridge fdb append 00:00:00:00:00:00 dev vx0 dst 10.0.0.8")
cap rtnl neigh-fdb-show-vxlan "bridge -j fdb show dev vx0"
NEIGH=("${R[@]}" "ip neigh add 10.0.0.5 lladdr 02:00:00:00:00:05 dev veth0 nud permanent" "ip -6 neigh add 2001:db8::5 lladdr 02:00:00:00:00:05 dev veth0 nud permanent" "ip neigh add proxy 10.0.0.7 dev veth0")
SETUP=("${NEIGH[@]}"); cap rtnl neigh-show "ip neigh show"
SETUP=("${NEIGH[@]}"); cap rtnl neigh-show-json "ip -j neigh show"
SETUP=("${NEIGH[@]}"); cap rtnl neigh-show-dev "ip neigh show dev veth0"
SETUP=("${NEIGH[@]}"); cap rtnl neigh-show-proxy "ip neigh show proxy"

# rules
SETUP=(); cap rtnl rule-add-from "ip rule add from 10.0.0.0/8 table 100 pref 1000"
SETUP=(); cap rtnl rule-add-fwmark "ip rule add fwmark 0x1/0xff table 100"
SETUP=("${V0[@]}"); cap rtnl rule-add-iif-oif "ip rule add iif veth0 oif veth1 table 100"
SETUP=(); cap rtnl rule-add-to "ip rule add to 192.0.2.0/24 table 100"
SETUP=(); cap rtnl rule-add-blackhole "ip rule add from 10.9.0.0/16 blackhole"
SETUP=(); cap rtnl rule-add-unreachable "ip rule add from 10.8.0.0/16 unreachable"
SETUP=(); cap rtnl rule-add-v6 "ip -6 rule add from 2001:db8::/32 table 100 pref 2000"
SETUP=("ip rule add from 10.0.0.0/8 table 100 pref 1000"); cap rtnl rule-del "ip rule del from 10.0.0.0/8 table 100 pref 1000"
SETUP=(); cap rtnl rule-del-missing "ip rule del from 10.0.0.0/8 table 100 pref 1000"
RULES=("ip rule add from 10.0.0.0/8 table 100 pref 1000" "ip rule add fwmark 0x1/0xff table 100 pref 1001" "ip rule add to 192.0.2.0/24 table 1000 pref 1002" "ip rule add from 10.9.0.0/16 blackhole pref 1003")
SETUP=("${RULES[@]}"); cap rtnl rule-show "ip rule show"
SETUP=("${RULES[@]}"); cap rtnl rule-show-json "ip -j rule show"

# ---------------------------------------------------------------- rtnl-ext: ip parity round 2
# address labels, netconf, kind options of existing links, vxlan external, lookups with selectors
VX=("${V0ADDR[@]}" "ip link add vx0 type vxlan id 42 group 239.1.1.1 dev veth0 dstport 4789")
BR=("${V0UP[@]}" "ip link add br0 type bridge" "ip link set veth1 master br0")
SETUP=("${V0UP[@]}"); NOTES="requests[0] is ip's name lookup of veth0 (RTM_GETLINK); the RTM_NEWADDRLABEL is last."
cap rtnl-ext addrlabel-add-dev "ip addrlabel add prefix 2001:db8::/64 dev veth0 label 7"
SETUP=(); cap rtnl-ext addrlabel-add "ip addrlabel add prefix 2001:db8::/64 label 7"
SETUP=("ip addrlabel add prefix 2001:db8::/64 label 7"); cap rtnl-ext addrlabel-del "ip addrlabel del prefix 2001:db8::/64 label 7"
SETUP=("ip addrlabel add prefix 2001:db8::/64 label 7"); NOTES="The reply holds the kernel's default table and the label added by setup."
cap rtnl-ext addrlabel-list-json "ip -j addrlabel list"
SETUP=("ip addrlabel add prefix 2001:db8::/64 label 7"); cap rtnl-ext addrlabel-add-exists "ip addrlabel add prefix 2001:db8::/64 label 7"
SETUP=("${V0UP[@]}"); NOTES="With a family and a device ip asks for one entry (RTM_GETNETCONF with NLM_F_ACK and NETCONFA_IFINDEX), after its name lookup."
cap rtnl-ext netconf-get "ip -4 netconf show dev veth0"
SETUP=("${V0UP[@]}"); NOTES="Without a family ip dumps every family (a 4-byte netconfmsg with family 0) and keeps the device's entries; ip 6.1 prints them as JSON here."
cap rtnl-ext netconf-show-dev-json "ip -j netconf show dev veth0"
SETUP=("${VX[@]}"); NOTES="ip resolves vx0 to its index first (RTM_GETLINK); the set is the last request: ifindex set, IFLA_LINKINFO { KIND vxlan, DATA { TTL } }."
cap rtnl-ext link-set-vxlan-ttl "ip link set dev vx0 type vxlan ttl 64"
SETUP=("${VX[@]}"); NOTES="The kernel cannot change the VNI: the reply carries its extack."
cap rtnl-ext link-set-vxlan-vni "ip link set dev vx0 type vxlan vni 43"
SETUP=("${VX[@]}"); NOTES="TTL_INHERIT is an empty flag attribute; the kernel refuses to change it (extack)."
cap rtnl-ext link-set-vxlan-ttl-inherit "ip link set dev vx0 type vxlan ttl inherit"
SETUP=("${BR[@]}"); cap rtnl-ext link-set-bridge-stp "ip link set dev br0 type bridge stp_state 1"
SETUP=("${BR[@]}"); NOTES="IFLA_INFO_KIND is the type word 'bridge_slave' (the kernel does not look it up); the options go in IFLA_INFO_SLAVE_DATA."
cap rtnl-ext link-set-bridge-slave "ip link set dev veth1 type bridge_slave cost 5 learning off"
SETUP=("${V0UP[@]}"); NOTES="veth0 is no bridge port: the kernel answers EOPNOTSUPP without extack."
cap rtnl-ext link-set-bridge-slave-noport "ip link set dev veth0 type bridge_slave cost 5"
SETUP=(); NOTES="external sets COLLECT_METADATA and turns learning off; no dstport: ip warns on stderr."
cap rtnl-ext link-add-vxlan-external "ip link add vx9 type vxlan external"
SETUP=("${V0ADDR[@]}"); cap rtnl-ext route-get-tos-mark "ip route get 10.0.0.5 from 10.0.0.2 tos 0x10 mark 0x1"
SETUP=("${V0ADDR[@]}"); NOTES="ip resolves the iif name first; the answer is a local route with its cache flags."
cap rtnl-ext route-get-iif "ip route get 10.0.0.2 from 10.0.0.9 iif veth0"
SETUP=("${V0ADDR[@]}"); cap rtnl-ext route-get-iif-json "ip -j route get 10.0.0.2 from 10.0.0.9 iif veth0"
SETUP=("${V0ADDR[@]}" "ip neigh add 10.0.0.5 lladdr 02:00:00:00:00:05 dev veth0"); NOTES="ip resolves veth0 first; the RTM_GETNEIGH carries the address and the ifindex."
cap rtnl-ext neigh-get "ip neigh get 10.0.0.5 dev veth0"
SETUP=("ip rule add dsfield 0x10 pref 100" "ip rule add from 10.0.0.0/8 table 100 pref 1000"); NOTES="ip dumps every rule and filters on tos itself."
cap rtnl-ext rule-show-dsfield-json "ip -j rule show dsfield 0x10"
SETUP=("${V0UP[@]}"); NOTES="A link dump with statistics: the JSON carries stats64 as ip -s prints it."
cap rtnl-ext link-show-stats-json "ip -j -s -s link show dev veth0"
# text views whose replies are the state they print: replayed through the CLI by the unit tests
SETUP=("${V0UP[@]}"); cap rtnl-ext link-show-stats2 "ip -s -s link show dev veth0"
SETUP=("${V0UP[@]}"); cap rtnl-ext link-show-stats "ip -s link show"
SETUP=("${V0UP[@]}"); cap rtnl-ext link-show-details "ip -d link show dev veth0"
SETUP=("${V0UP[@]}"); cap rtnl-ext link-show-brief "ip -br link show"
SETUP=("${V0UP[@]}"); cap rtnl-ext link-show-brief-json "ip -br -j link show"
SETUP=("${V0UP[@]}"); cap rtnl-ext link-show-oneline "ip -o link show"
SETUP=("${V0ADDR[@]}"); cap rtnl-ext addr-show-brief "ip -br addr show"
SETUP=("${V0ADDR[@]}"); cap rtnl-ext addr-show-oneline "ip -o addr show"
SETUP=("${V0ADDR[@]}"); cap rtnl-ext addr-show-stats "ip -s addr show dev veth0"
SETUP=("${V0ADDR[@]}" "ip neigh add 10.0.0.5 lladdr 02:00:00:00:00:05 dev veth0"); cap rtnl-ext neigh-show-brief "ip -br neigh show"

# ---------------------------------------------------------------- nft: nfnetlink batches and dumps
NFTDBG="output is nft --debug=netlink's rendering of the expressions it sent (an independent oracle). nft 1.0.6 sets no NLM_F_ACK on batch members, so a successful batch gets no reply; the replies are those of its cache queries (NFT_MSG_GETGEN etc.) and kernel errors."
MASQ='table ip nat {
	chain postrouting {
		type nat hook postrouting priority 100; policy accept;
		ip saddr 10.0.0.0/24 oifname != "br0" masquerade
	}
}'
nftcap() { # nftcap GROUP NAME RULESET
  INPUT=$3; NOTES="$NFTDBG${NOTES:+ $NOTES}"; cap "$1" "$2" "nft --debug=netlink -f input.nft"
}
nftcap seed nft-masquerade "$MASQ"
nftcap nft nat-masquerade "$MASQ"
nftcap nft nat-dnat 'table ip nat {
	chain prerouting {
		type nat hook prerouting priority -100; policy accept;
		tcp dport 8080 dnat to 10.0.0.2:80
	}
}'
nftcap nft nat-snat 'table ip nat {
	chain postrouting {
		type nat hook postrouting priority 100; policy accept;
		ip saddr 10.0.0.0/24 oifname "veth0" snat to 192.0.2.1
	}
}'
nftcap nft nat-redirect 'table ip nat {
	chain prerouting {
		type nat hook prerouting priority -100; policy accept;
		tcp dport 80 redirect to :8080
	}
}'
FILTER='table ip filter {
	chain input {
		type filter hook input priority 0; policy drop;
		ct state established,related accept
		iifname "lo" accept
		tcp dport 22 counter accept
		limit rate 10/second log prefix "x " accept
	}
}'
nftcap nft filter-stateful "$FILTER"
SET='table ip filter {
	set blocked {
		type ipv4_addr
		elements = { 192.0.2.1, 192.0.2.2, 198.51.100.7 }
	}
	chain input {
		type filter hook input priority 0; policy accept;
		ip daddr @blocked drop
	}
}'
nftcap nft set-named "$SET"
JUMP='table ip filter {
	chain sub {
		ip saddr 10.0.0.1 return
		counter
	}
	chain sub2 {
		counter drop
	}
	chain input {
		type filter hook input priority 0; policy accept;
		ip saddr 10.0.0.0/8 jump sub
		ip saddr 172.16.0.0/12 goto sub2
	}
}'
nftcap nft chain-jump-goto-return "$JUMP"
nftcap nft family-ip6 'table ip6 filter {
	chain input {
		type filter hook input priority 0; policy accept;
		ip6 saddr 2001:db8::/32 icmpv6 type echo-request accept
		ip6 nexthdr tcp tcp dport 443 counter accept
	}
}'
INET='table inet filter {
	chain input {
		type filter hook input priority 0; policy accept;
		ct state established,related accept
		meta l4proto { tcp, udp } th dport 53 accept
		meta nfproto ipv6 icmpv6 type nd-neighbor-solicit accept
	}
}'
nftcap nft family-inet "$INET"
BRIDGE='table bridge filter {
	chain forward {
		type filter hook forward priority 0; policy accept;
		ether type arp accept
		ether saddr 02:00:00:00:00:01 drop
	}
}'
nftcap nft family-bridge "$BRIDGE"
NETDEV='table netdev ingress {
	chain veth0 {
		type filter hook ingress device "veth0" priority 0; policy accept;
		ip saddr 192.0.2.0/24 drop
	}
}'
SETUP=("ip link add veth0 type veth peer name veth1")
nftcap nft family-netdev "$NETDEV"

BASE='table ip filter {
	chain input {
		type filter hook input priority 0; policy accept;
		counter
		tcp dport 80 accept
		tcp dport 443 accept
	}
}'
HANDLES="Handles in a fresh namespace: table 1, chain input 1, rules 2, 3, 4 (see setup)."
SETUP=("nft -f input.nft"); INPUT=$BASE; NOTES="$HANDLES"
cap nft rule-insert-position "nft insert rule ip filter input position 3 tcp dport 22 accept"
SETUP=("nft -f input.nft"); INPUT=$BASE; NOTES="$HANDLES"
cap nft rule-add-position "nft add rule ip filter input position 3 tcp dport 8080 accept"
SETUP=("nft -f input.nft"); INPUT=$BASE; NOTES="$HANDLES"
cap nft rule-delete-handle "nft delete rule ip filter input handle 3"
SETUP=("nft -f input.nft"); INPUT=$BASE
cap nft table-delete "nft delete table ip filter"
NOTES="The table does not exist: the reply is the kernel's ENOENT for the batch member."
cap nft table-delete-missing "nft delete table ip nosuch"
SETUP=("nft -f input.nft"); INPUT=$SET
cap nft set-add-element "nft add element ip filter blocked { 203.0.113.9 }"

RULESET="$MASQ
$FILTER
$SET
$INET
$BRIDGE
$NETDEV"
RULESET=${RULESET//'table ip filter {
	set blocked'/'table ip filter2 {
	set blocked'}
LISTNOTE="The ruleset loaded by setup is in input. Requests: the cache/listing dumps nft makes (GETGEN, then GETTABLE/GETCHAIN/GETSET/GETSETELEM/GETRULE/GETOBJ/GETFLOWTABLE per its cache logic)."
SETUP=("ip link add veth0 type veth peer name veth1" "nft -f input.nft"); INPUT=$RULESET; NOTES="$LISTNOTE"
cap nft list-ruleset "nft list ruleset"
SETUP=("ip link add veth0 type veth peer name veth1" "nft -f input.nft"); INPUT=$RULESET; NOTES="$LISTNOTE The JSON is what nft printed from exactly these reply bytes."
cap nft list-ruleset-json "nft -j list ruleset"
SETUP=("nft -f input.nft"); INPUT=$BASE
cap nft list-table-handles "nft -a list table ip filter"

# ---------------------------------------------------------------- sockdiag: ss over NETLINK_SOCK_DIAG
# The sockets belong to a node process (test/helpers/sockdiag-peers.mjs) in NS: listeners on
# 0.0.0.0:22 and [::]:8080, a connection to each (1000 bytes queued at the first server; the
# second's window is closed by tcp_rmem 4096, so its client has a Send-Q too), UDP on
# 127.0.0.1:5353 with three datagrams queued and [::]:5354, a UNIX stream listener and a
# connection with 100 bytes queued. The process then freezes its event loop, so nothing is read.
SDPEERS='[{"kind":"tcp-listen","name":"l4","host":"0.0.0.0","port":22},{"kind":"tcp-listen","name":"l6","host":"::","port":8080},{"kind":"tcp-connect","name":"c4","host":"127.0.0.1","port":22,"write":1000},{"kind":"tcp-connect","name":"c6","host":"::1","port":8080,"write":300000},{"kind":"unix-listen","name":"x1","path":"/tmp/@NS@.sock"},{"kind":"unix-connect","name":"xc","path":"/tmp/@NS@.sock","write":100},{"kind":"udp-bind","name":"u4","type":"udp4","host":"127.0.0.1","port":5353},{"kind":"udp-bind","name":"u6","type":"udp6","host":"::","port":5354},{"kind":"udp-connect","name":"uc","type":"udp4","host":"127.0.0.1","port":5353,"send":3},{"kind":"hold","seconds":60}]'
SDSETUP=("ip link set lo up" "sysctl -qw net.ipv4.tcp_rmem='4096 4096 4096'")
SDNOTE="Sockets: see scripts/capture-golden.sh (sockdiag). ss sends one dump per address family (AF_INET, then AF_INET6) with the same filter. The output is what ss printed from exactly these replies (stdout is not a terminal: columns are as wide as their widest cell)."
sdcap() { SETUP=("${SDSETUP[@]}"); PEERS=$SDPEERS; NOTES="$SDNOTE${3:+ $3}"; cap sockdiag "$1" "$2"; }
sdcap tcp-all "ss -tan"
sdcap tcp-all-extended "ss -tanHe" "-e adds timers, uid (when not 0), inode, cookie (sk:), cgroup, v6only and the shutdown state; ss inside ip netns exec finds no cgroup2 mount (the fresh sysfs hides it) and prints cgroup ids as unreachable:ID."
sdcap tcp-listen-sport "ss -tln sport = :22" "The bytecode is one INET_DIAG_BC_S_COND (family AF_UNSPEC, port 22, four address bytes ss always reserves); ss leaves the two padding bytes of inet_diag_hostcond uninitialised (malloc), so they may differ between the two requests."
sdcap tcp-dst-dport "ss -tan dst 127.0.0.1 dport = :22" "Two conditions, ANDed: each rejects by jumping 4 bytes past the end of the program."
sdcap tcp-info "ss -tin state established" "-i asks for INET_DIAG_INFO, VEGASINFO and CONG (idiag_ext 0x0e)."
sdcap udp-all "ss -uanHe"
sdcap unix-all "ss -xa" "One unix_diag_req (AF_UNIX, every state, UDIAG_SHOW_NAME|PEER|RQLEN)."
sdcap unix-all-extended "ss -xanHe" "-e adds UDIAG_SHOW_VFS and UDIAG_SHOW_ICONS."
sdcap tcp-kill-dport "ss -tK dport = :22" "-K: for every socket the dump returns, ss sends SOCK_DESTROY (inet_diag_req_v2 with the socket's id and cookie) on a second socket and prints the socket when the kernel acks; here it kills the client of 127.0.0.1:22."

# ---------------------------------------------------------------- nft-corpus: realistic rulesets
# Each test/fixtures/golden/nft-corpus/NAME.nft three times: what `nft -f` sends (NAME-load, with
# --debug=netlink's listing as output), and what the kernel answers to `nft list ruleset`
# (NAME-list) and `nft -j list ruleset` (NAME-json) once it is loaded. veth0/veth1 exist for
# the netdev and ingress chains.
CORPUS_NOTE="The ruleset is in input (the corpus file). Handles and element expirations are those of this capture."
for f in "$ROOT"/test/fixtures/golden/nft-corpus/*.nft; do
  n=$(basename "$f" .nft)
  SETUP=("ip link add veth0 type veth peer name veth1"); INPUT=$(cat "$f"); NOTES="$NFTDBG $CORPUS_NOTE"
  cap nft-corpus "$n-load" "nft --debug=netlink -f input.nft"
  SETUP=("ip link add veth0 type veth peer name veth1" "nft -f input.nft"); INPUT=$(cat "$f"); NOTES="$LISTNOTE $CORPUS_NOTE"
  cap nft-corpus "$n-list" "nft list ruleset"
  SETUP=("ip link add veth0 type veth peer name veth1" "nft -f input.nft"); INPUT=$(cat "$f"); NOTES="$LISTNOTE $CORPUS_NOTE"
  cap nft-corpus "$n-json" "nft -j list ruleset"
done

# ---------------------------------------------------------------- conntrack: ctnetlink
# NS: 10.0.0.1/32 on lo, veth0 198.51.100.2/24 to NS2 (198.51.100.1), "ip saddr 10.0.0.1 masquerade",
# accounting on; flows: a masqueraded ping, then fixed ones made with conntrack -I (udp, tcp in
# zone 5 with mark 7, icmp id 77, udp with an orig-direction zone 9, udp over IPv6).
CTTOPO=(
  "ip link set lo up"
  "ip addr add 10.0.0.1/32 dev lo"
  "ip link add veth0 type veth peer name veth0 netns @NS2@"
  "ip addr add 198.51.100.2/24 dev veth0"
  "ip link set veth0 up"
  "ip -n @NS2@ addr add 198.51.100.1/24 dev veth0"
  "ip -n @NS2@ link set veth0 up"
  "sysctl -qw net.netfilter.nf_conntrack_acct=1"
  "nft add table ip nat && nft add chain ip nat post '{ type nat hook postrouting priority 100; }' && nft add rule ip nat post ip saddr 10.0.0.1 masquerade"
)
CTFLOWS=(
  "ping -c1 -W2 -I 10.0.0.1 198.51.100.1 >/dev/null"
  "conntrack -I -p udp -s 10.0.0.1 -d 198.51.100.1 --sport 1000 --dport 53 -t 100 2>/dev/null"
  "conntrack -I -p tcp -s 10.0.0.1 -d 198.51.100.1 --sport 1001 --dport 80 -t 100 --state ESTABLISHED -u SEEN_REPLY,ASSURED -w 5 -m 7 2>/dev/null"
  "conntrack -I -p icmp -s 10.0.0.1 -d 198.51.100.1 --icmp-type 8 --icmp-code 0 --icmp-id 77 -t 100 2>/dev/null"
  "conntrack -I -p udp -s 10.0.0.1 -d 198.51.100.1 --sport 1002 --dport 53 -t 100 --orig-zone 9 2>/dev/null"
  "conntrack -I -p udp -s fd00::1 -d fd00::2 --sport 5 --dport 6 -t 100 2>/dev/null"
)
CTNOTE="The setup's flows are listed in the setup; output is what conntrack printed from exactly these reply bytes (same run)."
ctcap() { SETUP=("${CTTOPO[@]}" "${CTFLOWS[@]}"); NOTES="$CTNOTE${3:+ $3}"; cap conntrack "$1" "$2"; }
if want conntrack; then command -v conntrack >/dev/null || { echo "capture-golden: conntrack not found" >&2; exit 1; }; fi
ctcap list "conntrack -L"
ctcap list-extended "conntrack -L -o extended,id"
ctcap list-ipv4 "conntrack -L -f ipv4" "conntrack-tools sends the family in the dump's nfgenmsg and filters nothing else in the kernel."
ctcap list-mark "conntrack -L -m 7" "The mark filter goes to the kernel as CTA_MARK and CTA_MARK_MASK 0xffffffff."
ctcap get "conntrack -G -p udp -s 10.0.0.1 -d 198.51.100.1 --sport 1000 --dport 53"
ctcap get-icmp "conntrack -G -p icmp -s 10.0.0.1 -d 198.51.100.1 --icmp-type 8 --icmp-code 0 --icmp-id 77"
ctcap get-missing "conntrack -G -p udp -s 10.0.0.1 -d 198.51.100.1 --sport 4000 --dport 53" "No such flow: the kernel answers ENOENT."
ctcap delete "conntrack -D -p udp -s 10.0.0.1 -d 198.51.100.1 --sport 1000 --dport 53" "conntrack-tools dumps (AF_INET), filters in user space, then deletes each match with the attributes the dump gave it."
ctcap delete-zone "conntrack -D -w 5" "The flow lives in zone 5: the delete repeats CTA_ZONE, without which the kernel answers ENOENT."
ctcap flush "conntrack -F"
ctcap flush-ipv4 "conntrack -F -f ipv4" "A version-0 nfgenmsg with family AF_INET: the kernel ignores the family and empties every family (it honours it only with version 1)."
ctcap count "conntrack -C" "The kernel's IPCTNL_MSG_CT_GET_STATS reply carries NLM_F_MULTI and no NLMSG_DONE follows."
SETUP=("${CTTOPO[@]}" "(sleep 1; ping -c1 -W2 -I 10.0.0.1 198.51.100.1; conntrack -D -p icmp) >/dev/null 2>&1 &")
NOTES="conntrack -E sends nothing (it binds to the groups NEW, UPDATE and DESTROY); replies are the events of a ping started 1 s after it (NEW, UPDATE) and of its flow's deletion (DESTROY). timeout ends it with SIGTERM: exit 124, the summary on stderr."
cap conntrack events "timeout 3 conntrack -E"

# ---------------------------------------------------------------- genl: nlctrl, as genl(8) asks it
# Families are registered per namespace: a fresh one sees fewer than the root namespace.
cap genl ctrl-list "genl ctrl list"
NOTES="The family does not exist: nlctrl answers ENOENT."
cap genl ctrl-get-missing "genl ctrl get name nosuch"

# ---------------------------------------------------------------- ethtool: its netlink requests on a veth
# Every ethtool run first resolves the family (CTRL_CMD_GETFAMILY "ethtool", requests[0]); the
# string set of feature names (ETHTOOL_MSG_STRSET_GET) goes over a second socket.
if want ethtool; then command -v ethtool >/dev/null || { echo "capture-golden: ethtool not found" >&2; exit 1; }; fi
VE=("ip link add veth1 type veth peer name veth2")
NOTES="Plain ethtool: LINKMODES, LINKINFO, WOL, DEBUG, LINKSTATE gets; veth answers EOPNOTSUPP to WOL and DEBUG, which ethtool does not print."
SETUP=("${VE[@]}"); cap ethtool show "ethtool veth1"
SETUP=("${VE[@]}"); cap ethtool features "ethtool -k veth1"
SETUP=("${VE[@]}"); cap ethtool features-json "ethtool --json -k veth1"
NOTES="Turning the checksum off takes the TSO features along: the reply's ACTIVE mask lists them too."
SETUP=("${VE[@]}"); cap ethtool features-set "ethtool -K veth1 tx-checksum-ip-generic off"
NOTES="Legacy names: gro is rx-gro, tx every tx-checksum-* feature (in the order of the string set)."
SETUP=("${VE[@]}"); cap ethtool features-set-legacy "ethtool -K veth1 gro on tx off"
NOTES="tx-checksum-ipv4 is fixed on veth: the kernel changes nothing and its reply's WANTED mask says so; ethtool exits 1."
SETUP=("${VE[@]}"); cap ethtool features-set-fixed "ethtool -K veth1 tx-checksum-ipv4 on"
SETUP=("${VE[@]}"); cap ethtool channels "ethtool -l veth1"
SETUP=("${VE[@]}"); cap ethtool channels-set "ethtool -L veth1 rx 2 tx 2"
NOTES="veth has at most 2 rx channels: EINVAL with the kernel's extack."
SETUP=("${VE[@]}"); cap ethtool channels-set-too-many "ethtool -L veth1 rx 5"
SETUP=("${VE[@]}"); cap ethtool tsinfo "ethtool -T veth1"
NOTES="No such device: ENODEV with the kernel's extack (offset of ETHTOOL_A_HEADER_DEV_NAME)."
cap ethtool features-missing-dev "ethtool -k nosuch0"

# ---------------------------------------------------------------- monitor: what ip monitor receives
# capmon NAME COMMAND: COMMAND (an `ip monitor`) traced in NS while ACTIONS run in NS, then
# stopped with SIGTERM. Its replies are its link-cache dump and the kernel's notifications.
ACTIONS=()
capmon() {
  local name=$1 cmd=$2 group=monitor
  want "$group" || { ACTIONS=(); NOTES=""; return 0; }
  N=$((N + 1))
  NS=$PFX-$N-a NS2=$PFX-$N-b
  local d=$CAPS/${group}__${name} s tracer ip_pid rc=0
  mkdir -p "$d"
  for s in "$NS" "$NS2"; do
    ip netns add "$s"
    ip netns exec "$s" sh -c 'for k in all default; do sysctl -qw net.ipv6.conf.$k.accept_dad=0; done'
  done
  ip -n "$NS" link set lo up
  echo "ip link set lo up" >"$d/setup"
  printf '%s\n' "$cmd" >"$d/command"
  [[ -n $NOTES ]] && printf '%s\n' "$(expand "$NOTES")" >"$d/notes"
  uname -r >"$d/kernel"
  echo "$IPROUTE" >"$d/tool"
  ip netns exec "$NS" "${STRACE[@]}" -o "$d/trace" -- $cmd >"$d/stdout" 2>"$d/stderr" &
  tracer=$!
  BGPIDS+=("$tracer")
  # ip reads its link cache and then waits in recvmsg; a traced process starts slowly
  sleep 1
  : >"$d/actions"
  for s in "${ACTIONS[@]}"; do
    echo "$s" >>"$d/actions"
    ip netns exec "$NS" sh -c "$s" || { echo "capture-golden: action failed for $group/$name: $s" >&2; exit 1; }
  done
  sleep 1
  ip_pid=$(pgrep -P "$tracer" | head -1)
  # a background job of a script ignores SIGINT, so ip is stopped with SIGTERM
  [[ -n $ip_pid ]] && kill -TERM "$ip_pid"
  wait "$tracer" || rc=$?
  echo "$rc" >"$d/rc"
  printf '  %-32s rc=%s  %s\n' "$group/$name" "$rc" "$cmd" >&2
  ip netns del "$NS"; ip netns del "$NS2"
  ACTIONS=(); NOTES=""
}
MONNOTE="ip monitor ran until it was stopped with SIGTERM (hence the exit code). The actions ran in the namespace while it listened, one after the other. Replies: ip's link-cache dump (RTM_GETLINK) first, then every notification datagram as the kernel delivered it."
MONLINKS=(
  "ip link add va address 02:00:00:00:00:0a type veth peer name vb address 02:00:00:00:00:0b"
  "ip link set va up"
  "ip link set vb up"
)
ACTIONS=(
  "${MONLINKS[@]}"
  "ip addr add 10.1.0.1/24 dev va"
  "ip addr add fd00::1/64 dev va"
  "ip route add 10.2.0.0/16 via 10.1.0.2"
  "ip route add 10.3.0.0/16 dev va table 100 metric 5"
  "ip route replace 10.2.0.0/16 via 10.1.0.3"
  "ip -6 route add fd05::/64 via fd00::2"
  "ip -6 route append fd05::/64 via fd00::3"
  "ip -6 route del fd05::/64"
  "ip neigh add 10.1.0.9 lladdr 02:00:00:00:00:09 dev va nud permanent"
  "ip neigh del 10.1.0.9 dev va"
  "ip rule add from 10.9.0.0/16 lookup 100 prio 100"
  "ip rule del prio 100"
  "ip route del 10.2.0.0/16"
  "ip route del 10.3.0.0/16 table 100"
  "ip addr del 10.1.0.1/24 dev va"
  "ip link set va mtu 1400"
  "ip link set vb name vc"
  "ip link del va"
)
NOTES="$MONNOTE"
capmon all-objects "ip monitor link address route neigh rule"
ACTIONS=(
  "${MONLINKS[@]}"
  "ip addr add 10.1.0.1/24 dev va"
  "ip route add 10.2.0.0/16 via 10.1.0.2"
  "ip rule add from 10.9.0.0/16 lookup 100 prio 100"
  "ip -6 addr add fd00::1/64 dev va"
)
NOTES="$MONNOTE With -4, IPv6 groups are not joined."
capmon label-v4 "ip -4 monitor label link address route rule"

# ---------------------------------------------------------------- tc: qdiscs, classes, filters, actions
# va has 4 tx queues (for mq). In a fresh namespace lo is 1, vb 2, va 3. tc computes rate tables
# and buffers from /proc/net/psched: its content goes into every fixture's notes.
PSCHED="psched: $(cat /proc/net/psched)."
TCDEV=("ip link add va numtxqueues 4 type veth peer name vb" "ip link set va up" "ip link set vb up")
TCNOTE="Devices: lo=1 vb=2 va=3. $PSCHED"
TCUNSUP="This kernel lacks the module: the request is complete, the reply is the kernel's error with its extack text."
tccap() { # tccap NAME COMMAND [setup...]
  local name=$1 cmd=$2; shift 2
  SETUP=("${TCDEV[@]}" "$@"); NOTES="$TCNOTE${NOTES:+ $NOTES}"; cap tc "$name" "$cmd"
}
HTB=("tc qdisc add dev va root handle 1: htb default 10" "tc class add dev va parent 1: classid 1:10 htb rate 5mbit ceil 10mbit")
# qdiscs the kernel has
tccap qdisc-add-pfifo "tc qdisc add dev va root handle 1: pfifo limit 100"
tccap qdisc-add-bfifo "tc qdisc add dev va root bfifo limit 64kb"
tccap qdisc-add-pfifo-fast "tc qdisc add dev va root pfifo_fast"
tccap qdisc-add-tbf "tc qdisc add dev va root tbf rate 1mbit burst 32kb latency 400ms"
tccap qdisc-add-tbf-limit "tc qdisc add dev va root handle 10: tbf rate 10mbit burst 10kb/8 limit 30000 mpu 64 overhead 4"
tccap qdisc-add-tbf-peakrate "tc qdisc add dev va root tbf rate 2mbit burst 20kb latency 50ms peakrate 4mbit mtu 2kb"
tccap qdisc-add-tbf-rate64 "tc qdisc add dev va root tbf rate 40gbit burst 1mb latency 10ms"
tccap qdisc-add-tbf-atm "tc qdisc add dev va root tbf rate 800kbit burst 5000 latency 70ms linklayer atm"
tccap qdisc-add-htb "tc qdisc add dev va root handle 1: htb default 10"
tccap qdisc-add-htb-opts "tc qdisc add dev va root handle 1: htb default 20 r2q 5 direct_qlen 100"
tccap qdisc-add-mq "tc qdisc add dev va root handle 1: mq"
tccap qdisc-add-ingress "tc qdisc add dev va ingress"
tccap qdisc-add-clsact "tc qdisc add dev va clsact"
tccap qdisc-add-child-tbf "tc qdisc add dev va parent 1:10 handle 10: tbf rate 1mbit burst 32k latency 50ms" "${HTB[@]}"
tccap qdisc-replace-tbf "tc qdisc replace dev va root handle 1: tbf rate 2mbit burst 16kb latency 100ms" "tc qdisc add dev va root handle 1: tbf rate 1mbit burst 32kb latency 400ms"
tccap qdisc-change-tbf "tc qdisc change dev va root handle 1: tbf rate 3mbit burst 16kb latency 100ms" "tc qdisc add dev va root handle 1: tbf rate 1mbit burst 32kb latency 400ms"
tccap qdisc-add-exists "tc qdisc add dev va root handle 1: pfifo" "tc qdisc add dev va root handle 1: pfifo"
tccap qdisc-del-root "tc qdisc del dev va root" "tc qdisc add dev va root handle 1: htb"
tccap qdisc-del-clsact "tc qdisc del dev va clsact" "tc qdisc add dev va clsact"
TCSHOW=("${HTB[@]}" "tc qdisc add dev va parent 1:10 handle 10: tbf rate 1mbit burst 32k latency 50ms" "tc qdisc add dev va clsact" "tc qdisc add dev vb root bfifo limit 10000" "ip addr add 10.9.9.1/24 dev va" "ping -c 2 -i 0.2 -W 1 10.9.9.2 >/dev/null 2>&1 || true")
tccap qdisc-show-json "tc -s -j qdisc show dev va" "${TCSHOW[@]}"
tccap qdisc-show "tc -s qdisc show dev va" "${TCSHOW[@]}"
tccap qdisc-show-all-json "tc -j qdisc show" "${TCSHOW[@]}"
tccap qdisc-show-mq-json "tc -j qdisc show dev va" "tc qdisc add dev va root handle 1: mq"
# qdiscs it lacks (golden only)
NOTES="$TCUNSUP"; tccap qdisc-add-netem "tc qdisc add dev va root netem limit 2000 delay 100ms 10ms 25% loss 1% 30% duplicate 2% reorder 10% 50% corrupt 0.5% rate 1mbit"
NOTES="$TCUNSUP"; tccap qdisc-add-netem-delay "tc qdisc add dev va root netem delay 50ms"
NOTES="$TCUNSUP"; tccap qdisc-add-netem-ecn "tc qdisc add dev va root handle 2: netem loss 0.1% ecn gap 5 reorder 5% delay 10ms"
NOTES="$TCUNSUP"; tccap qdisc-add-fq-codel "tc qdisc add dev va root fq_codel limit 1000 flows 512 quantum 1514 target 5ms interval 100ms ecn ce_threshold 2ms memory_limit 32mb drop_batch 32"
NOTES="$TCUNSUP"; tccap qdisc-add-fq-codel-noecn "tc qdisc add dev va root fq_codel noecn"
NOTES="$TCUNSUP"; tccap qdisc-add-fq "tc qdisc add dev va root fq limit 5000 flow_limit 50 quantum 3028 initial_quantum 15140 maxrate 1gbit buckets 1024 pacing refill_delay 40ms orphan_mask 1023 ce_threshold 3ms horizon 5s horizon_drop low_rate_threshold 550kbit"
NOTES="$TCUNSUP"; tccap qdisc-add-sfq "tc qdisc add dev va root sfq limit 64 perturb 10 quantum 1514 divisor 1024 flows 64 depth 32 headdrop"
NOTES="$TCUNSUP"; tccap qdisc-add-prio "tc qdisc add dev va root handle 1: prio bands 4 priomap 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3 0"
NOTES="$TCUNSUP"; tccap qdisc-add-prio-default "tc qdisc add dev va root prio"
NOTES="$TCUNSUP"; tccap qdisc-add-cake "tc qdisc add dev va root cake bandwidth 100mbit rtt 50ms diffserv4 dual-dsthost nat wash ack-filter overhead 18 mpu 64 atm ingress memlimit 32mb fwmark 0xff split-gso"
NOTES="$TCUNSUP"; tccap qdisc-add-cake-unlimited "tc qdisc add dev va root cake unlimited besteffort flowblind nonat nowash no-ack-filter raw egress"
# classes
tccap class-add-htb "tc class add dev va parent 1: classid 1:10 htb rate 5mbit ceil 10mbit" "tc qdisc add dev va root handle 1: htb default 10"
tccap class-add-htb-opts "tc class add dev va parent 1: classid 1:20 htb rate 1mbit ceil 2mbit burst 15k cburst 20k/16 prio 2 quantum 1500 mtu 9000 mpu 64 overhead 4" "tc qdisc add dev va root handle 1: htb"
tccap class-add-htb-rate64 "tc class add dev va parent 1: classid 1:30 htb rate 50gbit ceil 60gbit" "tc qdisc add dev va root handle 1: htb"
tccap class-add-htb-child "tc class add dev va parent 1:10 classid 1:11 htb rate 1mbit ceil 5mbit linklayer atm" "${HTB[@]}"
tccap class-change-htb "tc class change dev va parent 1: classid 1:10 htb rate 6mbit ceil 12mbit" "${HTB[@]}"
tccap class-replace-htb "tc class replace dev va parent 1: classid 1:10 htb rate 7mbit" "${HTB[@]}"
tccap class-del "tc class del dev va classid 1:10" "${HTB[@]}"
tccap class-show "tc -s class show dev va" "${TCSHOW[@]}"
# filters and actions the kernel has
U32P=("${HTB[@]}")
tccap filter-add-u32 "tc filter add dev va parent 1: protocol ip pref 10 u32 match ip dst 10.0.0.2/32 classid 1:10" "${U32P[@]}"
tccap filter-add-u32-multi "tc filter add dev va parent 1: protocol ip pref 10 u32 match ip src 10.0.0.0/24 match ip dport 80 0xffff match ip protocol 6 0xff match ip tos 0x10 0xff flowid 1:10" "${U32P[@]}"
tccap filter-add-u32-raw "tc filter add dev va parent 1: protocol all pref 11 u32 match u32 0x0a000001 0xffffffff at 12 match u16 0x0800 0xffff at -2 match u8 0x45 0xff at 0 match tcp dst 443 0xffff classid 1:10" "${U32P[@]}"
tccap filter-add-u32-ip6 "tc filter add dev va parent 1: protocol ipv6 pref 12 u32 match ip6 dst 2001:db8::/64 match ip6 sport 53 0xffff classid 1:10" "${U32P[@]}"
tccap filter-add-u32-mark "tc filter add dev va parent 1: protocol ip pref 13 u32 match mark 0x10 0xff classid 1:10" "${U32P[@]}"
tccap filter-add-u32-handle "tc filter add dev va parent 1: protocol ip pref 14 handle 800::10 u32 match ip dst 10.0.0.3/32 classid 1:10" "${U32P[@]}"
tccap filter-add-u32-divisor "tc filter add dev va parent 1: protocol ip pref 15 handle 2: u32 divisor 256" "${U32P[@]}"
tccap filter-add-u32-link "tc filter add dev va parent 1: protocol ip pref 15 u32 ht 800:: match ip protocol 6 0xff link 2: hashkey mask 0x000000ff at 20 offset at 0 mask 0x0f00 shift 6 eat" "${U32P[@]}" "tc filter add dev va parent 1: protocol ip pref 15 handle 2: u32 divisor 256"
tccap filter-add-u32-mirred "tc filter add dev va parent 1: protocol ip pref 16 u32 match ip dst 10.0.0.2/32 action mirred egress mirror dev lo" "${U32P[@]}"
tccap filter-add-u32-redirect "tc filter add dev va ingress protocol all pref 1 u32 match u32 0 0 action mirred egress redirect dev vb" "tc qdisc add dev va clsact"
tccap filter-add-u32-ingress-mirred "tc filter add dev va egress protocol ip pref 2 u32 match ip dst 10.0.0.0/8 classid 1:1 action mirred ingress mirror dev vb index 7 cookie aabbccdd" "tc qdisc add dev va clsact"
tccap filter-add-u32-skip-sw "tc filter add dev va ingress protocol ip pref 3 u32 match ip src 192.0.2.1/32 skip_sw" "tc qdisc add dev va clsact"
tccap filter-replace-u32 "tc filter replace dev va parent 1: protocol ip pref 10 handle 800::800 u32 match ip dst 10.0.0.4/32 classid 1:10" "${U32P[@]}" "tc filter add dev va parent 1: protocol ip pref 10 u32 match ip dst 10.0.0.2/32 classid 1:10"
tccap filter-change-u32 "tc filter change dev va parent 1: protocol ip pref 10 handle 800::800 u32 match ip dst 10.0.0.5/32 classid 1:10" "${U32P[@]}" "tc filter add dev va parent 1: protocol ip pref 10 u32 match ip dst 10.0.0.2/32 classid 1:10"
tccap filter-del-pref "tc filter del dev va parent 1: pref 10" "${U32P[@]}" "tc filter add dev va parent 1: protocol ip pref 10 u32 match ip dst 10.0.0.2/32 classid 1:10"
tccap filter-del-handle "tc filter del dev va parent 1: protocol ip pref 10 handle 800::800 u32" "${U32P[@]}" "tc filter add dev va parent 1: protocol ip pref 10 u32 match ip dst 10.0.0.2/32 classid 1:10"
tccap filter-del-all "tc filter del dev va ingress" "tc qdisc add dev va clsact" "tc filter add dev va ingress protocol all pref 1 u32 match u32 0 0 action mirred egress redirect dev vb"
FSHOW=("${U32P[@]}" "tc qdisc add dev va clsact" "tc filter add dev va parent 1: protocol ip pref 10 u32 match ip dst 10.0.0.2/32 classid 1:10" "tc filter add dev va parent 1: protocol ip pref 16 u32 match ip dst 10.0.0.0/8 action mirred egress mirror dev lo" "tc filter add dev va egress protocol all pref 1 u32 match u32 0 0 action mirred egress mirror dev vb" "ip addr add 10.9.9.1/24 dev va" "ping -c 2 -i 0.2 -W 1 10.9.9.2 >/dev/null 2>&1 || true")
tccap filter-show-json "tc -s -j filter show dev va parent 1:" "${FSHOW[@]}"
tccap filter-show "tc -s filter show dev va parent 1:" "${FSHOW[@]}"
tccap filter-show-egress-json "tc -s -j filter show dev va egress" "${FSHOW[@]}"
tccap filter-show-egress "tc -s filter show dev va egress" "${FSHOW[@]}"
# classifiers and actions it lacks (golden only)
CLSACT=("tc qdisc add dev va clsact")
NOTES="$TCUNSUP"; tccap filter-add-matchall "tc filter add dev va ingress pref 1 matchall skip_hw action mirred egress redirect dev vb" "${CLSACT[@]}"
NOTES="$TCUNSUP"; tccap filter-add-matchall-classid "tc filter add dev va parent 1: pref 2 matchall classid 1:10" "${U32P[@]}"
NOTES="$TCUNSUP"; tccap filter-add-flower "tc filter add dev va ingress protocol ip pref 1 flower classid 1:1 skip_hw dst_mac 02:00:00:00:00:01 src_mac 02:00:00:00:00:00/24 ip_proto tcp ip_tos 0x10/0xfc ip_ttl 64 dst_ip 10.0.0.0/8 src_ip 192.0.2.1 dst_port 80 src_port 1000-2000 action mirred egress redirect dev vb" "${CLSACT[@]}"
NOTES="$TCUNSUP"; tccap filter-add-flower-v6 "tc filter add dev va ingress protocol ipv6 pref 2 flower skip_sw indev vb ip_proto udp dst_ip 2001:db8::/32 dst_port 53" "${CLSACT[@]}"
NOTES="$TCUNSUP"; tccap filter-add-flower-vlan "tc filter add dev va ingress protocol 802.1q pref 3 flower vlan_id 100 vlan_prio 3 vlan_ethtype ip dst_ip 10.1.0.1" "${CLSACT[@]}"
NOTES="$TCUNSUP"; tccap filter-add-gact "tc filter add dev va ingress protocol ip pref 4 u32 match ip src 10.0.0.1/32 action drop" "${CLSACT[@]}"
NOTES="$TCUNSUP"; tccap filter-add-gact-random "tc filter add dev va ingress protocol ip pref 5 u32 match ip src 10.0.0.1/32 action gact pass random determ drop 10 index 3" "${CLSACT[@]}"
NOTES="$TCUNSUP"; tccap filter-add-police "tc filter add dev va ingress protocol ip pref 6 u32 match ip src 10.0.0.0/8 action police rate 1mbit burst 10k conform-exceed drop/pass" "${CLSACT[@]}"
NOTES="$TCUNSUP"; tccap filter-add-police-peak "tc filter add dev va ingress protocol ip pref 7 u32 match u32 0 0 action police rate 2mbit burst 20kb mtu 2kb peakrate 4mbit overhead 14 linklayer ethernet drop" "${CLSACT[@]}"
NOTES="$TCUNSUP"; tccap filter-add-two-actions "tc filter add dev va ingress protocol all pref 8 u32 match u32 0 0 action mirred egress mirror dev lo action drop" "${CLSACT[@]}"
# bpf: a drop program built with clang, pinned in a bpffs under $TMP, attached by path
if command -v clang >/dev/null && command -v bpftool >/dev/null && want tc; then
  BPFFS=$TMP/bpffs
  mkdir -p "$BPFFS"
  mount -t bpf bpf "$BPFFS"
  cat >"$TMP/drop.c" <<'BPF'
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
__attribute__((section("tc"), used)) int drop_all(struct __sk_buff *skb) { return TC_ACT_SHOT; }
__attribute__((section("license"), used)) char _license[] = "GPL";
BPF
  clang -O2 -target bpf -I/usr/include/$(uname -m)-linux-gnu -c "$TMP/drop.c" -o "$TMP/drop.o"
  bpftool prog load "$TMP/drop.o" "$BPFFS/drop" type classifier 2>/dev/null
  BPFNOTE="The program is pinned at $BPFFS/drop (a bpffs mounted for the capture); TCA_BPF_FD holds the number of the fd tc got from BPF_OBJ_GET, meaningful only inside that tc process."
  NOTES="$BPFNOTE"; tccap filter-add-bpf "tc filter add dev va egress pref 8 bpf da object-pinned $BPFFS/drop" "${CLSACT[@]}"
  NOTES="$BPFNOTE"; tccap filter-add-bpf-classid "tc filter add dev va parent 1: protocol ip pref 9 bpf object-pinned $BPFFS/drop classid 1:10" "${U32P[@]}"
  NOTES="$BPFNOTE"; tccap filter-add-bpf-ingress "tc filter add dev va ingress protocol all pref 1 handle 5 bpf object-pinned $BPFFS/drop direct-action skip_sw" "${CLSACT[@]}"
  NOTES="$BPFNOTE"; tccap filter-show-bpf-json "tc -s -j filter show dev va egress" "${CLSACT[@]}" "tc filter add dev va egress pref 8 bpf da object-pinned $BPFFS/drop"
fi

if [[ -z $(ls -A "$CAPS") ]]; then echo "capture-golden: nothing captured (unknown group?)" >&2; exit 1; fi
(cd "$ROOT" && npx tsx scripts/strace-to-fixture.ts "$CAPS" "$OUT")
