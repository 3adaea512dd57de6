#!/usr/bin/env bash
# Runs test suites nobody here wrote (iproute2's testsuite/tests/ip and the kernel's rtnetlink.sh)
# once with the real `ip` and once with `ip` swapped for nlkit, and reports both verdicts per test.
#
#   scripts/peer-suites.sh [--impl ip|nlkit|both] [--only NAME] [--quick] [--write FILE]
#                          [--expect FILE] [--from LOG]
#
# --quick leaves out the tests marked slow (minutes with nlkit, whose every call starts node).
# --from LOG takes the RESULT lines of an earlier run's output instead of running the tests.
# --expect RESULTS.md exits 1 when a test that passed there (same implementation) does not pass now.
#
# The upstream scripts are read from $NLKIT_PEER_UPSTREAM (default test/peer-suites/upstream); see
# test/peer-suites/README.md for which files at which commits. Nothing is fetched at run time.
# Every test runs in its own namespace nlkit-test-<pid>-ps-<n>, inside a private mount namespace
# with its own /run/netns and sysfs, so namespaces the scripts create and sysfs files they write
# never reach the root namespace. Output: one line per test and implementation,
#   RESULT <suite/test> <ip|nlkit> <pass|fail|skip> <reason>
set -u

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
upstream="${NLKIT_PEER_UPSTREAM:-$root/test/peer-suites/upstream}"
impls="ip nlkit"
only=""
write=""
expect=""
from=""
quick=0
while [ $# -gt 0 ]; do
  case "$1" in
    --impl) impls="$2"; [ "$impls" = both ] && impls="ip nlkit"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --write) write="$2"; shift 2 ;;
    --quick) quick=1; shift ;;
    --expect) expect="$2"; shift 2 ;;
    --from) from="$2"; shift 2 ;;
    *) echo "usage: $0 [--impl ip|nlkit|both] [--only NAME] [--quick] [--write FILE] [--expect FILE]" >&2; exit 2 ;;
  esac
done

if [ "$(id -u)" -ne 0 ]; then echo "SKIP: needs root (network namespaces)"; exit 0; fi
real_ip="$(command -v ip)" || { echo "SKIP: iproute2's ip is not installed"; exit 0; }
iproute_ts="$upstream/iproute2/testsuite"
rtnl_sh="$upstream/linux/tools/testing/selftests/net/rtnetlink.sh"
if [ ! -f "$iproute_ts/lib/generic.sh" ] || [ ! -f "$rtnl_sh" ]; then
  echo "SKIP: upstream test scripts not found under $upstream (see test/peer-suites/README.md)"
  exit 0
fi
cli="$root/dist/bundle/cli.js"
[ -f "$cli" ] || { echo "peer-suites: $cli missing: run npm run build" >&2; exit 1; }

work="$(mktemp -d /tmp/nlkit-peer-suites.XXXXXX)"
prefix="nlkit-test-$$-ps"
cleanup() {
  for f in /run/netns/"$prefix"-*; do [ -e "$f" ] && "$real_ip" netns del "${f##*/}" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT

# Shims first in PATH: `ip` is nlkit in the nlkit run; uuidgen (util-linux's is not installed here)
# is needed by rtnetlink.sh's ifalias test in both runs.
for impl in ip nlkit; do
  mkdir -p "$work/shim-$impl"
  printf '#!/bin/sh\nexec cat /proc/sys/kernel/random/uuid\n' > "$work/shim-$impl/uuidgen"
done
printf '#!/bin/sh\nexec node %q "$@"\n' "$cli" > "$work/shim-nlkit/ip"
chmod +x "$work"/shim-*/*

# ---- what this kernel has: each kind is tried in a throwaway namespace -------------------------
probe_ns="$prefix-probe"
"$real_ip" netns add "$probe_ns"
"$real_ip" -n "$probe_ns" link add pv0 type veth peer name pv1
declare -A have
probe() { # name, then the command after `ip -n NS`
  local name="$1"; shift
  if "$real_ip" -n "$probe_ns" "$@" >/dev/null 2>&1; then have[$name]=1; else have[$name]=0; fi
}
probe dummy link add p-dummy type dummy
probe vlan link add link pv0 name p-vlan type vlan id 5
probe vrf link add p-vrf type vrf table 10
probe bond link add p-bond type bond
probe gre link add p-gre type gre remote 192.0.2.1
probe ip6gre link add p-ip6gre type ip6gre remote 2001:db8::1
probe gretap link add p-gretap type gretap remote 192.0.2.1
probe ip6gretap link add p-ip6gretap type ip6gretap remote 2001:db8::1
probe erspan link add p-erspan type erspan remote 192.0.2.1 key 1 erspan_ver 1
probe ip6erspan link add p-ip6erspan type ip6erspan remote 2001:db8::1 key 1 erspan_ver 1
probe macsec link add link pv0 name p-macsec type macsec
probe bareudp link add p-bareudp type bareudp dstport 6635 ethertype ipv4
probe xfrm link add p-xfrm type xfrm if_id 7
probe vxlan link add p-vxlan type vxlan id 1 dstport 4789
probe bridge link add p-bridge type bridge
probe esp xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 7 \
  aead 'rfc4106(gcm(aes))' 0x3132333435363738393031323334353664636261 128
probe htb_u32 link set lo up # tc is tried below: htb and u32 must both load
if ! "$real_ip" netns exec "$probe_ns" tc qdisc add dev lo root handle 1: htb >/dev/null 2>&1 ||
   ! "$real_ip" netns exec "$probe_ns" tc filter add dev lo parent 1: prio 5 handle ffe: protocol ip u32 divisor 256 >/dev/null 2>&1; then
  have[htb_u32]=0
fi
"$real_ip" netns del "$probe_ns"

# An entry is "name kinds...[; reason it cannot run here]". Prints why it must be skipped, if so.
missing() {
  local kinds="${1%%;*}" fixed="" need reasons=""
  [[ "$1" == *";"* ]] && fixed="${1#*; }"
  for need in $kinds; do
    [ "$need" = slow ] && continue
    [ "${have[$need]:-0}" = 1 ] || reasons+="no $need in this kernel; "
  done
  [ -n "$fixed" ] && reasons+="$fixed; "
  printf '%s' "${reasons%; }"
}

results=()
record() { # test impl verdict reason
  results+=("$1|$2|$3|$4")
  printf 'RESULT %s %s %s %s\n' "$1" "$2" "$3" "$4"
}

n=0
# Runs "$@" as root in a fresh namespace with lo up, a private /run/netns and a fresh sysfs.
in_fresh_ns() {
  local impl="$1"; shift
  n=$((n + 1))
  local ns="$prefix-$n"
  "$real_ip" netns add "$ns" && "$real_ip" -n "$ns" link set lo up || return 99
  PATH="$work/shim-$impl:$PATH" timeout "$limit" "$real_ip" netns exec "$ns" \
    unshare -m sh -c 'mount -t tmpfs peer-suites /run/netns && exec "$@"' sh "$@"
  local rc=$?
  "$real_ip" netns del "$ns" 2>/dev/null
  return $rc
}

# ---- iproute2 testsuite (verdict as its Makefile gives it: 127 skip, anything in ERRF fail) ----
iproute_tests=(
  "ip/link/new_link.t dummy"
  "ip/link/show_dev_wo_vf_rate.t ; needs the testsuite's C tool generate_nlmsg to write its input"
  "ip/link/add_type_bareudp.t bareudp"
  "ip/link/add_type_xfrm.t xfrm"
  "ip/neigh/basic.t dummy"
  "ip/netns/set_nsid.t"
  "ip/netns/set_nsid_batch.t"
  "ip/route/add_default_route.t dummy"
  "ip/rule/dsfield.t"
  "ip/tunnel/add_tunnel.t gre ip6gre; rmmods the gre modules after it (global state)"
)
run_iproute() { # test impl
  local t="$1" impl="$2" d="$work/ts-$impl-${1//\//_}"
  mkdir -p "$d"
  (cd "$iproute_ts" && STD_ERR="$d/err" STD_OUT="$d/out" ERRF="$d/errf" IP=ip TC=tc SS=ss \
    BRIDGE=bridge DEV=lo in_fresh_ns "$impl" sh "tests/$t" > "$d/log" 2>&1)
  local rc=$?
  if [ $rc = 127 ]; then echo "skip|the test skipped itself"
  elif [ $rc = 99 ]; then echo "fail|runner could not make its namespace"
  elif [ -s "$d/errf" ]; then echo "fail|$(grep -m1 -E 'failed|matching' "$d/errf" | tr '|' '/' | cut -c1-160)"
  else echo "pass|"; fi
}

# ---- kernel rtnetlink.sh: one function at a time, the script's own main is not run ------------
# Its fixture device test-dummy0 is a dummy; this kernel has none, so the runner makes a veth pair
# of that name instead (with the real ip: the fixture is not what is tested).
rtnl_tests=(
  "kci_test_polrouting"
  "kci_test_route_get"
  "kci_test_addrlft"
  "kci_test_promote_secondaries ; its verdict is unconditional (always PASS) and it needs 253 ifconfig calls"
  "kci_test_tc htb_u32"
  "kci_test_gre gre"
  "kci_test_gretap gretap"
  "kci_test_ip6gretap ip6gretap"
  "kci_test_erspan erspan"
  "kci_test_ip6erspan ip6erspan"
  "kci_test_bridge vlan"
  "kci_test_addrlabel slow"
  "kci_test_ifalias"
  "kci_test_vrf vrf"
  "kci_test_encap dummy"
  "kci_test_macsec macsec"
  "kci_test_macsec_offload ; uses netdevsim, whose devices are made on a global bus"
  "kci_test_ipsec esp"
  "kci_test_ipsec_offload ; uses netdevsim, whose devices are made on a global bus"
  "kci_test_fdb_get vxlan bridge"
  "kci_test_neigh_get"
  "kci_test_bridge_parent_id bond; uses netdevsim, whose devices are made on a global bus"
  "kci_test_address_proto"
  "kci_test_enslave_bonding bond dummy"
)
# A minimal stand-in for selftests/net/lib.sh: only what the functions above use.
cat > "$work/lib.sh" <<EOF
ksft_skip=4
setup_ns() {
  local name
  for name in "\$@"; do
    local ns="$prefix-sub-\$name-\$RANDOM"
    ip netns add "\$ns" || return 1
    ip -n "\$ns" link set lo up
    eval "\$name=\$ns"
  done
}
EOF
cat > "$work/rtnl-one.sh" <<EOF
cd "$work" || exit 99
source <(sed '/^#check for needed privileges/,\$d' "$rtnl_sh")
kci_add_dummy() {
  "$real_ip" link add name "\$devdummy" type veth peer name "\$devdummy-p" &&
  "$real_ip" link set "\$devdummy-p" up && "$real_ip" link set "\$devdummy" up
}
kci_del_dummy() { "$real_ip" link del dev "\$devdummy"; }
ret=0
kci_add_dummy || exit 99
"\$1"
rc=\$?
kci_del_dummy
exit \$rc
EOF
run_rtnl() { # function impl
  local log="$work/rt-$2-$1.log"
  in_fresh_ns "$2" bash "$work/rtnl-one.sh" "$1" > "$log" 2>&1
  local rc=$?
  if [ $rc = 99 ]; then echo "fail|runner could not make its fixture"
  elif grep -q '^FAIL' "$log"; then echo "fail|$(grep -m1 '^FAIL' "$log" | tr '|' '/' | cut -c1-160)"
  elif [ $rc = 4 ] || grep -q '^SKIP' "$log"; then echo "skip|$(grep -m1 '^SKIP' "$log" | tr '|' '/' | cut -c1-160)"
  elif [ $rc != 0 ]; then echo "fail|exit status $rc"
  elif grep -q '^PASS' "$log"; then echo "pass|"
  else echo "fail|printed no verdict"; fi
}

run_suite() { # label runner entries...
  local label="$1" runner="$2"; shift 2
  local entry name reason impl out
  for entry in "$@"; do
    read -r name needs <<< "$entry"
    [ -n "$only" ] && [ "$only" != "$name" ] && continue
    limit=120
    if [[ " $needs " == *" slow "* ]]; then
      [ $quick = 1 ] && continue
      limit=1200 # its 2000 background add/del calls ignore their results; each is a node start
    fi
    reason="$(missing "$needs")"
    for impl in $impls; do
      if [ -n "$reason" ]; then record "$label/$name" "$impl" skip "$reason"; continue; fi
      out="$($runner "$name" "$impl")"
      record "$label/$name" "$impl" "${out%%|*}" "${out#*|}"
    done
  done
}

start=$SECONDS
if [ -n "$from" ]; then
  while read -r tag t i verdict why; do
    [ "$tag" = RESULT ] && results+=("$t|$i|$verdict|$why")
  done < "$from"
else
  run_suite iproute2 run_iproute "${iproute_tests[@]}"
  run_suite rtnetlink.sh run_rtnl "${rtnl_tests[@]}"
  echo "peer-suites: done in $((SECONDS - start)) s"
fi

if [ -n "$write" ]; then
  {
    echo "# Peer suites: results"
    echo
    echo "Written by \`scripts/peer-suites.sh --write\`${from:+ from the output of a full run (about 12 minutes on this busy 2-core VM, most of it kci_test_addrlabel with nlkit)} on $(uname -r), $(ip -V 2>&1 | head -1)."
    echo "Each test ran in a fresh namespace, once with \`ip\` and once with \`ip\` swapped for nlkit."
    echo
    echo "| test | ip | nlkit | note |"
    echo "|---|---|---|---|"
    declare -A v note
    local_order=()
    for r in "${results[@]}"; do
      IFS='|' read -r t i verdict why <<< "$r"
      [ -z "${v[$t,ip]:-}${v[$t,nlkit]:-}" ] && local_order+=("$t")
      v[$t,$i]="$verdict"
      if [ -n "$why" ] && [ "$i" = ip ]; then note[$t]="$why"
      elif [ -n "$why" ] && [ "$why" != "${note[$t]:-}" ]; then note[$t]="${note[$t]:+ip: ${note[$t]} / }nlkit: $why"; fi
    done
    for t in "${local_order[@]}"; do
      echo "| $t | ${v[$t,ip]:--} | ${v[$t,nlkit]:--} | ${note[$t]:-} |"
    done
    echo
    for i in ip nlkit; do
      p=0; f=0; s=0
      for t in "${local_order[@]}"; do
        case "${v[$t,$i]:-}" in pass) p=$((p+1));; fail) f=$((f+1));; skip) s=$((s+1));; esac
      done
      echo "- $i: $p pass, $f fail, $s skip"
    done
  } > "$write"
fi

if [ -n "$expect" ]; then
  regressions=0
  for r in "${results[@]}"; do
    IFS='|' read -r t i verdict why <<< "$r"
    col=2; [ "$i" = nlkit ] && col=3
    was="$(awk -F' [|] ' -v t="| $t" -v c="$col" '$1 == t { print $c }' "$expect")"
    if [ "$was" = pass ] && [ "$verdict" != pass ]; then
      echo "REGRESSION $t $i: recorded pass, now $verdict ($why)"
      regressions=$((regressions + 1))
    fi
  done
  [ $regressions = 0 ] || exit 1
fi
