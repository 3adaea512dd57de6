#!/bin/bash
# npm run bench: nlkit beside the other netlink clients of ../shared/bench-peers, in ONE harness
# run, then BENCHMARKS.md from that run's raw data (bench/report.ts).
#
#   npm run bench                                  # N=1000, REPS=3, every peer (~10 minutes)
#   N=200 N_W5=20 REPS=1 npm run bench             # quick look
#   PEERS="c ts" WORKLOADS="W2 W3" npm run bench   # any harness knob passes through
#   OUT=/tmp/B.md npm run bench                    # write the report elsewhere
#
# The ts slot runs bench/peer.ts bundled by esbuild with the package build's flags, i.e. the code
# users get from dist/bundle (tsx would add a name-keeping call per closure); mode "both": the
# request mode under the contract's labels, and for W3 the batch mode too, as W3.batch*.
set -u
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
HARNESS=${HARNESS:-$ROOT/../shared/bench-peers/run-peers.sh}
[ -x "$HARNESS" ] || HARNESS=/work/shared/bench-peers/run-peers.sh
export WORK=${WORK:-/tmp/nlbench}
export REPS=${REPS:-3}
OUT=${OUT:-$ROOT/BENCHMARKS.md}
[ "$(id -u)" = 0 ] || { echo "npm run bench must run as root (scratch namespaces)" >&2; exit 1; }

# Install the peers once (the harness's own --install), when this WORK has not got them yet.
if [ ! -x "$WORK/c/nlbench" ] || [ ! -d "$WORK/node-netlink-peer/node_modules/netlink" ]; then
  echo "== installing the peers into $WORK" >&2
  "$HARNESS" --install || echo "WARN: install incomplete; missing peers are skipped" >&2
fi

echo "== npm run build (dist/ for the import timing), and the peer" >&2
npm run -s build >&2 || exit 1
PEER_JS=bench/.build/peer.mjs
npx esbuild bench/peer.ts --bundle --platform=node --format=esm --target=node20 --external:ffi-rs \
  --log-level=warning --outfile="$PEER_JS" || exit 1

IMPORTS=$WORK/imports.tsv
: > "$IMPORTS"
# Cold start: a fresh process per sample, time of the import itself measured inside it.
time_imports() {
  local i
  for i in 1 2 3 4 5 6 7; do
    node --input-type=module -e "const t=performance.now(); await import('nlkit'); console.log('nlkit\t'+(performance.now()-t))" >> "$IMPORTS"
    if [ -d "$WORK/node-netlink-peer/node_modules/netlink" ]; then
      (cd "$WORK/node-netlink-peer" && node -e "const t=performance.now(); require('netlink'); console.log('netlink (npm)\t'+(performance.now()-t))") >> "$IMPORTS"
    fi
    /usr/bin/python3 -c "import time; t=time.perf_counter(); import pyroute2; print('pyroute2\t%f' % ((time.perf_counter()-t)*1000))" >> "$IMPORTS" 2>/dev/null
  done
}
time_imports

LOG=$WORK/bench-run.log
echo "== harness run (log: $LOG)" >&2
TS_PEER_CMD="node $PEER_JS" "$HARNESS" > "$LOG.out" 2> "$LOG"
RESULTS=$(sed -n 's/^== results: \([^ ]*\).*/\1/p' "$LOG" | tail -1)
[ -n "$RESULTS" ] && [ -s "$RESULTS/raw.tsv" ] || { tail -20 "$LOG" >&2; echo "harness run failed" >&2; exit 1; }
cat "$LOG.out"

# into a temp file first: the report carries over the current file's kept sections
npx tsx bench/report.ts "$RESULTS" "$IMPORTS" > "$OUT.tmp" && mv "$OUT.tmp" "$OUT" || exit 1
echo "== wrote $OUT (from $RESULTS)" >&2
