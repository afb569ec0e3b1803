#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Where Annal's CPU goes during an ingest: starts one node (embedded Cassandra), sends a warm-up
# data set, then times a second one with DCMTK storescu and prints the CPU per instance of every
# thread group of the node and of Cassandra (from /proc, user + system), plus the JIT's work in
# the timed window (jstat). Optionally records a JFR profile of the timed window. Not a
# comparison (see ingest-benchmark.sh): a tool to find what to make cheaper. See README.md.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib.sh
source "$REPO/load-tests/lib.sh" # free_port
ANNAL_BIN=$REPO/bin/annal
WORK=${ANNAL_BENCH_DIR:-${TMPDIR:-/tmp}/annal-profile}
ASSOCS=4
STUDIES=1
SERIES=4
INSTANCES=2000
WARMUP=2000
METADATA_ONLY=0
JFR=0
CONFIG=

usage() {
  cat <<EOF
usage: $0 [options]
  --instances N      timed instances (default $INSTANCES = studies x series x K)
  --warmup N         instances of other studies sent first, not timed (default $WARMUP)
  --studies S        studies in each data set (default $STUDIES)
  --series S         series per study (default $SERIES)
  --assocs N         parallel storescu associations (default $ASSOCS)
  --metadata-only    8x8 images: the per-instance cost without the pixel data path
  --config TEXT      HOCON appended to the node's configuration (e.g. an experiment's setting)
  --jfr              record a JFR profile (settings=profile) of the timed window into the work dir
  --work DIR         scratch space (default $WORK)
  --annal PATH       Annal launcher (default $ANNAL_BIN); JVM options: ANNAL_JAVA_OPTS
EOF
}

while [[ $# -gt 0 ]]; do
  case $1 in
    --instances) INSTANCES=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --studies) STUDIES=$2; shift 2 ;;
    --series) SERIES=$2; shift 2 ;;
    --assocs) ASSOCS=$2; shift 2 ;;
    --metadata-only) METADATA_ONLY=1; shift ;;
    --config) CONFIG=$2; shift 2 ;;
    --jfr) JFR=1; shift ;;
    --work) WORK=$2; shift 2 ;;
    --annal) ANNAL_BIN=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
done
for tool in storescu javac java jstat jcmd python3; do
  command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
done
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# generate SEED COUNT: a data set of COUNT instances (studies x series x COUNT / (studies x series))
generate() {
  local seed=$1 count=$2 per data classes
  per=$((count / (STUDIES * SERIES)))
  (( per > 0 )) || { echo "--instances/--warmup must be at least studies x series" >&2; exit 2; }
  data=$WORK/data/ct$( ((METADATA_ONLY)) && echo -meta)-seed$seed-st$STUDIES-se$SERIES-in$per
  if [[ ! -f $data/manifest.tsv ]]; then
    classes=$WORK/generator-classes
    rm -rf "$classes" "$data.partial" && mkdir -p "$classes"
    local src=$REPO/modules/dicom/src/main/java/org/annal/dicom
    javac -nowarn -d "$classes" "$src/Uid.java" "$src"/synth/*.java
    local extra=()
    ((METADATA_ONLY)) && extra+=(--metadata-only)
    log "generating $((STUDIES * SERIES * per)) instances into $data"
    java -cp "$classes" org.annal.dicom.synth.SyntheticCt --out "$data.partial" --studies "$STUDIES" \
      --series "$SERIES" --instances "$per" --seed "$seed" "${extra[@]}" >/dev/null
    mv "$data.partial" "$data"
  fi
  echo "$data"
}


mkdir -p "$WORK"
MEASURED=$(generate 1 "$INSTANCES")
WARM=
(( WARMUP > 0 )) && WARM=$(generate 1001 "$WARMUP")

RUN=$WORK/run
rm -rf "$RUN" && mkdir -p "$RUN"
PORT=$(free_port) HTTP=$(free_port) CLUSTER=$(free_port)
printf 'annal.cassandra.embedded { native-port = 0, storage-port = 0 }\n%s\n' "$CONFIG" >"$RUN/annal.conf"
log "starting Annal (log: $RUN/node.log)"
ANNAL_NO_BUILD=${ANNAL_NO_BUILD:-0} setsid "$ANNAL_BIN" run --data-dir "$RUN/data" \
  --dicom-port "$PORT" --http-port "$HTTP" --cluster-port "$CLUSTER" --ae-title ANNAL \
  --config "$RUN/annal.conf" >"$RUN/node.log" 2>&1 &
ROOT=$!
stop() {
  kill -TERM -- "-$ROOT" 2>/dev/null || true
  wait "$ROOT" 2>/dev/null || true
}
trap stop EXIT INT TERM
for _ in $(seq 300); do
  grep -q "Annal ready" "$RUN/node.log" && break
  kill -0 "$ROOT" 2>/dev/null || { echo "Annal did not start: $RUN/node.log" >&2; exit 1; }
  sleep 1
done
grep -q "Annal ready" "$RUN/node.log" || { echo "Annal not ready after 300 s" >&2; exit 1; }

send() { # send DIR: its files over ASSOCS parallel storescu, each a contiguous share
  local files per pids=() a rc=0
  mapfile -t files < <(tail -n +2 "$1/manifest.tsv" | cut -f1 | sed "s|^|$1/|")
  per=$(((${#files[@]} + ASSOCS - 1) / ASSOCS))
  for ((a = 0; a < ASSOCS; a++)); do
    TCP_NODELAY=1 storescu -aet PROFSCU -aec ANNAL --log-level warn 127.0.0.1 "$PORT" \
      "${files[@]:a*per:per}" & pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || rc=1; done
  return $rc
}

# Every process under the launcher (the embedded Cassandra runs in a session of its own).
tree() {
  ps -eo pid=,ppid= | awk -v root="$ROOT" '{ parent[$1] = $2 } END { for (p in parent) {
    q = p; while (q != root && q in parent && q > 1) q = parent[q]; if (q == root) print p } }'
}
snapshot() { # pid tid ticks comm, for every thread of every process of the tree
  local p t
  for p in $(tree); do
    for t in /proc/"$p"/task/*; do
      { echo "$p ${t##*/} $(sed 's/.*) //' "$t/stat" | awk '{print $12 + $13}') $(cat "$t/comm")"; } \
        2>/dev/null || true
    done
  done
}
NODE=$ROOT # bin/annal execs the node's JVM

if [[ -n $WARM ]]; then
  log "warm-up: $WARMUP instances over $ASSOCS associations"
  send "$WARM"
fi
sleep 3
((JFR)) && jcmd "$NODE" JFR.start name=profile settings=profile filename="$RUN/profile.jfr" >/dev/null
jit0=$(jstat -compiler "$NODE" | tail -1)
snapshot >"$RUN/cpu-before.txt"
log "timed: $INSTANCES instances over $ASSOCS associations"
t0=$(date +%s.%N)
send "$MEASURED"
t1=$(date +%s.%N)
snapshot >"$RUN/cpu-after.txt"
jit1=$(jstat -compiler "$NODE" | tail -1)
((JFR)) && jcmd "$NODE" JFR.stop name=profile >/dev/null && log "JFR: $RUN/profile.jfr"

echo "timed: $INSTANCES instances in $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f s (%.1f inst/s)", b - a, '"$INSTANCES"' / (b - a)}'), $ASSOCS associations, load 1m $(cut -d' ' -f1 /proc/loadavg)"
echo "JIT in the window: $(awk -v a="$jit0" -v b="$jit1" 'BEGIN { split(a, x, " "); split(b, y, " ");
  printf "%d compilations, %.1f s of compile time", y[1] - x[1], y[4] - x[4] }')"
python3 - "$RUN/cpu-before.txt" "$RUN/cpu-after.txt" "$INSTANCES" "$NODE" <<'PY'
import collections, os, re, sys
tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
def load(path):
    rows = {}
    for line in open(path):
        parts = line.split(None, 3)
        if len(parts) == 4:
            rows[(parts[0], parts[1])] = (int(parts[2]), parts[3].strip())
    return rows
before, after, n, node = load(sys.argv[1]), load(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
groups, totals = collections.Counter(), collections.Counter()
for (pid, tid), (ticks, name) in after.items():
    used = ticks - before.get((pid, tid), (0, ""))[0]
    # Thread names are cut to 15 characters by the kernel; numbers are folded away.
    group = re.sub(r"\d+", "N", re.sub(r"[-#]?\d+$", "", name))
    who = "node" if pid == node else "cassandra"
    groups[(who, group)] += used
    totals[who] += used
print("CPU ms per instance (user + system):")
for who in ("node", "cassandra"):
    print(f"  {who:10s} {totals[who] * tick_ms / n:7.2f}")
print("by thread group (the JIT compilers are 'CN CompilerThre'):")
for (who, group), used in groups.most_common(16):
    if used > 0:
        print(f"  {who:10s} {group:22s} {used * tick_ms / n:7.2f}")
PY
