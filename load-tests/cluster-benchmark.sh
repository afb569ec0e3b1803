#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Cluster benchmark: (1) ingest throughput of 1, 2 and 3 Annal nodes on one machine sharing one
# Cassandra (`annal cassandra`), the same synthetic CT data set sent with DCMTK storescu over 4
# associations spread over the nodes; (2) kill-to-recovery: with 3 nodes, kill -9 the node that
# runs a study's entity and time how long a C-STORE for that study, sent through node 1 right
# after the kill, takes to be answered Success. Every cluster starts empty; everything it starts
# is stopped on exit. See README.md.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ARGS=$(printf ' %q' "$@") # as typed, for the report
INSTANCES=2000
WARMUP=2000
SEED=1
NODES="1 2 3"
KILLS=10
ONLY_KILL=0
WORK=${ANNAL_CLUSTER_BENCH_DIR:-${TMPDIR:-/tmp}/annal-cluster-bench}
# Data sets made by ingest-benchmark.sh (same generator, same layout) are reused from here.
DATA_CACHE=${TMPDIR:-/tmp}/annal-ingest-bench/data
ANNAL_BIN=$REPO/bin/annal
ANNAL_AET=ANNAL
CALLING_AET=BENCHSCU
NODE_CONFIG=
READY_TIMEOUT=300
STORE_TIMEOUT=3600
REJOIN_TIMEOUT=300
RECOVERY_TIMEOUT=180
KEEP=0
# Ports: node k (1..3) uses base + k - 1. Apart from local-cluster.sh's (11112, 8080, 25521, 8558,
# 9042) and the defaults (7000), so that both can run on this machine at the same time.
DICOM_BASE=21112
HTTP_BASE=28080
CLUSTER_BASE=25621
MGMT_BASE=28558
CQL_PORT=19142
STORAGE_PORT=17100 # and 17101 (Cassandra's SSL storage port is storage port + 1)
ASSOCS=4           # the data set has 4 series: one storescu process (association) per series
SECRET=annal-cluster-bench-secret

usage() {
  cat <<EOF
usage: $0 [options]
  --instances N      timed data set: 1 study x 4 series x N/4 instances, seed $SEED (default $INSTANCES)
  --warmup N         warm-up data set sent to each fresh cluster before timing: 1 study x 4
                     series x N/4, seed $((SEED + 1000)) (default $WARMUP; 0: none)
  --nodes "1 2 3"    cluster sizes to measure throughput with (default "$NODES"; each 1..3)
  --kills K          kill-to-recovery trials with 3 nodes (default $KILLS; 0: none). Run on the
                     3-node cluster of the throughput run if --nodes has 3, else on a fresh one
  --only-kill        no throughput runs: a fresh 3-node cluster and the --kills trials only
  --node-config F    HOCON file included by every node's configuration (e.g. to try another
                     pekko.cluster.split-brain-resolver.stable-after)
  --work DIR         scratch space: clusters' data, logs, reports (default $WORK)
  --data-cache DIR   where existing data sets are looked for first (default $DATA_CACHE)
  --annal PATH       Annal launcher (default $ANNAL_BIN)
  --ready-timeout S  seconds for Cassandra and each node to be ready (default $READY_TIMEOUT)
  --recovery-timeout S  kill trials: when the C-STORE after the kill fails, resend it until
                     Success for at most S seconds from the kill (default $RECOVERY_TIMEOUT)
  --keep             keep each cluster's data dirs after a successful run (default: delete them)
Ports: DICOM $DICOM_BASE-$((DICOM_BASE + 2)), HTTP $HTTP_BASE-$((HTTP_BASE + 2)), cluster $CLUSTER_BASE-$((CLUSTER_BASE + 2)),
management $MGMT_BASE-$((MGMT_BASE + 2)), Cassandra CQL $CQL_PORT and storage $STORAGE_PORT-$((STORAGE_PORT + 1)); all must be free.
Environment: ANNAL_NO_BUILD=1 (do not build), ANNAL_JAVA_OPTS (JVM options, passed to bin/annal),
ANNAL_CLUSTER_BENCH_DIR (default --work).
EOF
}

while [[ $# -gt 0 ]]; do
  case $1 in
    --instances) INSTANCES=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --nodes) NODES=$2; shift 2 ;;
    --kills) KILLS=$2; shift 2 ;;
    --only-kill) ONLY_KILL=1; shift ;;
    --node-config) NODE_CONFIG=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    --data-cache) DATA_CACHE=$2; shift 2 ;;
    --annal) ANNAL_BIN=$2; shift 2 ;;
    --ready-timeout) READY_TIMEOUT=$2; shift 2 ;;
    --recovery-timeout) RECOVERY_TIMEOUT=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
done

for v in INSTANCES WARMUP KILLS READY_TIMEOUT RECOVERY_TIMEOUT; do
  [[ ${!v} =~ ^[0-9]+$ ]] || { o=${v,,}; echo "--${o//_/-} must be a number" >&2; exit 2; }
done
(( INSTANCES > 0 && INSTANCES % ASSOCS == 0 )) ||
  { echo "--instances ($INSTANCES) must be a positive multiple of $ASSOCS (series)" >&2; exit 2; }
(( WARMUP % ASSOCS == 0 )) || { echo "--warmup ($WARMUP) must be a multiple of $ASSOCS" >&2; exit 2; }
for n in $NODES; do
  [[ $n =~ ^[123]$ ]] || { echo "--nodes: $n is not 1, 2 or 3" >&2; exit 2; }
done
(( ONLY_KILL )) && NODES=""
[[ -n $NODES || $KILLS -gt 0 ]] || { echo "nothing to do (no --nodes and --kills 0)" >&2; exit 2; }
if [[ -n $NODE_CONFIG ]]; then
  [[ -f $NODE_CONFIG ]] || { echo "--node-config: no file $NODE_CONFIG" >&2; exit 2; }
  NODE_CONFIG=$(cd "$(dirname "$NODE_CONFIG")" && pwd)/$(basename "$NODE_CONFIG")
fi
PER_SERIES=$((INSTANCES / ASSOCS))

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# DCMTK 3.6.7 leaves Nagle on unless told: every C-STORE would wait ~40 ms for a delayed ACK.
export TCP_NODELAY=1
CLK_TCK=$(getconf CLK_TCK)

for t in storescu dcmodify curl jq java python3 setsid; do
  command -v "$t" >/dev/null || die "missing tool: $t (apt-get install dcmtk curl jq python3, a JDK 17)"
done
[[ -x $ANNAL_BIN ]] || die "no Annal launcher at $ANNAL_BIN (use --annal PATH)"
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
ROWS=$WORK/rows-$STAMP.txt    # throughput: one line per cluster size
TRIALS=$WORK/kills-$STAMP.txt # kill-to-recovery: one line per trial
: >"$ROWS"
: >"$TRIALS"

# ---------------------------------------------------------------------------------------------
# Data sets: 1 study x 4 series, the layout ingest-benchmark.sh uses (manifest.tsv lists the
# files). A complete one in --data-cache is used as is; otherwise it is generated under $WORK/data
# with the generator from annal-dicom's jar (or compiled from source if the jar is missing).
generate() { # generate SEED PER_SERIES: prints the data set's directory
  local seed=$1 per_series=$2 name dir classes jar cp
  name=ct-seed$seed-st1-se$ASSOCS-in$per_series
  for dir in "$DATA_CACHE/$name" "$WORK/data/$name"; do
    if [[ -f $dir/manifest.tsv && $(($(wc -l <"$dir/manifest.tsv") - 1)) -eq \
        $((ASSOCS * per_series)) ]]; then
      log "reusing data set $dir"
      echo "$dir"
      return
    fi
  done
  dir=$WORK/data/$name
  log "generating $((ASSOCS * per_series)) instances (1 x $ASSOCS x $per_series, seed $seed) into $dir"
  rm -rf "$dir.partial"
  mkdir -p "$WORK/data"
  jar=
  for cp in "$REPO"/modules/dicom/target/annal-dicom-*.jar; do
    case $cp in *-sources.jar|*-javadoc.jar|*-tests.jar) continue ;; esac
    [[ -f $cp ]] && { jar=$cp; break; }
  done
  if [[ -n $jar ]]; then
    cp=$jar
  else
    classes=$WORK/generator-classes
    rm -rf "$classes"
    mkdir -p "$classes"
    local src=$REPO/modules/dicom/src/main/java/org/annal/dicom
    javac -nowarn -d "$classes" "$src/Uid.java" "$src"/synth/*.java
    cp=$classes
  fi
  java -cp "$cp" org.annal.dicom.synth.SyntheticCt --out "$dir.partial" \
    --studies 1 --series "$ASSOCS" --instances "$per_series" --seed "$seed" >&2
  rm -rf "$dir"
  mv "$dir.partial" "$dir" # only a complete data set is ever reused
  echo "$dir"
}
DATA=$(generate "$SEED" "$PER_SERIES")
mapfile -t FILES < <(tail -n +2 "$DATA/manifest.tsv" | cut -f1 | sed "s|^|$DATA/|")
mapfile -t STUDY_UIDS < <(tail -n +2 "$DATA/manifest.tsv" | cut -f2 | sort -u)
TOTAL_BYTES=$(tail -n +2 "$DATA/manifest.tsv" | awk -F'\t' '{s += $5} END {printf "%d", s}')
(( ${#FILES[@]} == INSTANCES )) || die "manifest lists ${#FILES[@]} files, expected $INSTANCES"
WARM_FILES=()
if [[ -n $NODES ]] && (( WARMUP > 0 )); then
  WARM_DATA=$(generate $((SEED + 1000)) $((WARMUP / ASSOCS)))
  mapfile -t WARM_FILES < <(tail -n +2 "$WARM_DATA/manifest.tsv" | cut -f1 | sed "s|^|$WARM_DATA/|")
fi
# Read once so that the nodes are fed from the page cache, not from the disk they write to.
[[ -n $NODES ]] && cat "${FILES[@]}" "${WARM_FILES[@]}" >/dev/null
# The kill trials send copies of this file with new UIDs.
TEMPLATE=${FILES[0]}

# bin/annal builds the tree first when sources are newer than its jar: do that here, outside the
# start-up deadlines (ANNAL_NO_BUILD=1 skips it).
ANNAL_VERSION=$("$ANNAL_BIN" --version 2>&1 | tr '\n' ' ' | sed 's/ *$//')
log "Annal: $ANNAL_VERSION"

# ---------------------------------------------------------------------------------------------
# Processes. Each is started in a session of its own by a shell that writes its pid and then
# execs bin/annal, which execs java: PID[name] is the JVM. Names: cassandra, node1 .. node3.
declare -A PID=() OUT=()
dicom_port() { echo $((DICOM_BASE + $1 - 1)); }
http_port() { echo $((HTTP_BASE + $1 - 1)); }
cluster_port() { echo $((CLUSTER_BASE + $1 - 1)); }
mgmt_port() { echo $((MGMT_BASE + $1 - 1)); }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

alive() { # alive PID: exists and is not a zombie
  local state
  kill -0 "$1" 2>/dev/null || return 1
  state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [[ $state != Z ]]
}

# PID and its descendants, by parent links: `annal cassandra` runs Cassandra as a child JVM in a
# session of its own, so neither the process group nor the session would find it.
tree() {
  ps -eo pid=,ppid= | awk -v root="$1" '{ parent[$1] = $2 }
    END { for (p in parent) { q = p; while (q != root && q in parent && q > 1) q = parent[q]
          if (q == root) print p } }'
}

# Signals only processes whose command line still names this run's work dir (pids get reused).
ours() { [[ -r /proc/$1/cmdline ]] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -qF -- "$WORK/"; }

launch() { # launch NAME ARGS...: bin/annal ARGS in its own session, output to $RUN/NAME[-n].out
  local name=$1 pidf n=1
  shift
  pidf=$RUN/$name.pid
  OUT[$name]=$RUN/$name.out
  while [[ -e ${OUT[$name]} ]]; do n=$((n + 1)); OUT[$name]=$RUN/$name-$n.out; done
  rm -f "$pidf"
  # shellcheck disable=SC2016 # $$ and $@ are the inner shell's
  setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$pidf" "$ANNAL_BIN" "$@" \
    </dev/null >"${OUT[$name]}" 2>&1 &
  # Out of the job table: bash still reaps it, but does not report "Killed" after a kill -9.
  disown "$!"
  local i
  for ((i = 0; i < 100; i++)); do [[ -s $pidf ]] && break; sleep 0.1; done
  [[ -s $pidf ]] || die "$name: no pid after start (see ${OUT[$name]})"
  PID[$name]=$(<"$pidf")
}

await_line() { # await_line NAME TEXT: until NAME's output has TEXT; fails if it exits first
  local name=$1 text=$2 deadline=$((SECONDS + READY_TIMEOUT))
  until grep -qF -- "$text" "${OUT[$name]}"; do
    alive "${PID[$name]}" || { tail -n 30 "${OUT[$name]}" | sed 's/^/  | /' >&2
      die "$name exited before '$text' (see ${OUT[$name]})"; }
    (( SECONDS < deadline )) || { tail -n 30 "${OUT[$name]}" | sed 's/^/  | /' >&2
      die "$name: no '$text' within ${READY_TIMEOUT}s (see ${OUT[$name]})"; }
    sleep 0.5
  done
}

# stop NAME...: SIGTERM all at once (nodes leave gracefully, Cassandra drains), wait, then SIGKILL
# whatever of their process trees is left. Only live processes of this run are touched.
stop() {
  local name p deadline trees=()
  for name in "$@"; do
    p=${PID[$name]:-}
    if [[ -n $p ]] && alive "$p" && ours "$p"; then
      mapfile -t -O "${#trees[@]}" trees < <(tree "$p")
      kill -TERM "$p" 2>/dev/null || true
    fi
  done
  deadline=$((SECONDS + 120))
  for p in "${trees[@]}"; do
    while alive "$p" && ours "$p" && (( SECONDS < deadline )); do sleep 0.2; done
    if alive "$p" && ours "$p"; then
      log "process $p did not stop within 120 s: SIGKILL"
      kill -KILL "$p" 2>/dev/null || true
    fi
  done
  for name in "$@"; do
    unset "PID[$name]"
  done
}
stop_all() {
  local nodes=() name
  for name in "${!PID[@]}"; do
    [[ $name == node* ]] && alive "${PID[$name]}" && nodes+=("$name")
  done
  (( ${#nodes[@]} )) && { log "stopping ${nodes[*]}"; stop "${nodes[@]}"; }
  [[ -n ${PID[cassandra]:-} ]] && alive "${PID[cassandra]}" && { log "stopping cassandra"; stop cassandra; }
  return 0
}

mgmt() { curl -fsS -m 10 "http://127.0.0.1:$(mgmt_port "$1")$2"; }

# True when node 1's management lists exactly N members, all Up, and none unreachable.
members_ok() {
  mgmt 1 /cluster/members 2>/dev/null | jq -e --argjson n "$1" \
    '(.members | length) == $n and ([.members[] | select(.status == "Up")] | length) == $n
     and (.unreachable | length) == 0' >/dev/null 2>&1
}
await_members() { # await_members N SECONDS
  local deadline=$((SECONDS + $2))
  until members_ok "$1"; do
    (( SECONDS < deadline )) || { mgmt 1 /cluster/members >&2 || true
      die "node 1 does not list $1 members Up (none unreachable) after $2 s"; }
    sleep 0.5
  done
}

start_node() { # start_node K N: node K of an N-node cluster; does not wait
  local k=$1 n=$2 conf=$RUN/node$1.conf i seeds=()
  for ((i = 1; i <= n; i++)); do seeds+=("\"pekko://annal@127.0.0.1:$(cluster_port "$i")\""); done
  {
    echo "annal.node-id = \"bench-$k\""
    echo "annal.cluster.secret = \"$SECRET\""
    echo "pekko.cluster.seed-nodes = [$(IFS=,; echo "${seeds[*]}")]"
    [[ -z $NODE_CONFIG ]] || echo "include file(\"$NODE_CONFIG\")"
  } >"$conf"
  launch "node$k" run --data-dir "$RUN/node$k" --config "$conf" --cassandra "127.0.0.1:$CQL_PORT" \
    --dicom-port "$(dicom_port "$k")" --http-port "$(http_port "$k")" \
    --cluster-port "$(cluster_port "$k")" --management-port "$(mgmt_port "$k")" \
    --ae-title "$ANNAL_AET"
}

# A fresh cluster of N nodes under $RUN: Cassandra, then node 1 (the first seed forms the cluster
# and creates the journal's tables), then the others together.
start_cluster() {
  local n=$1 k p t0=$SECONDS
  for p in "$CQL_PORT" "$STORAGE_PORT" $((STORAGE_PORT + 1)); do
    port_in_use "$p" && die "port $p is in use (another run of this benchmark?)"
  done
  for ((k = 1; k <= n; k++)); do
    for p in $(dicom_port "$k") $(http_port "$k") $(cluster_port "$k") $(mgmt_port "$k"); do
      port_in_use "$p" && die "port $p is in use (another run of this benchmark?)"
    done
  done
  echo "annal.cassandra.embedded.storage-port = $STORAGE_PORT" >"$RUN/cassandra.conf"
  log "starting Cassandra (CQL $CQL_PORT, storage $STORAGE_PORT)"
  launch cassandra cassandra --data-dir "$RUN/cassandra" --port "$CQL_PORT" --config "$RUN/cassandra.conf"
  await_line cassandra "Cassandra ready at"
  log "starting node 1"
  start_node 1 "$n"
  await_line node1 "Annal ready"
  if (( n > 1 )); then
    log "starting nodes 2..$n"
    for ((k = 2; k <= n; k++)); do start_node "$k" "$n"; done
    for ((k = 2; k <= n; k++)); do await_line "node$k" "Annal ready"; done
  fi
  await_members "$n" 120
  log "cluster of $n node(s) up after $((SECONDS - t0)) s"
}

# Total CPU time (user + system, clock ticks) used so far by the process trees of all the JVMs
# started (nodes, `annal cassandra` and its Cassandra JVM). storescu is not included.
cpu_ticks() {
  local name p t total=0
  for name in "${!PID[@]}"; do
    for p in $(tree "${PID[$name]}"); do
      t=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13}') || t=0
      total=$((total + ${t:-0}))
    done
  done
  echo "$total"
}

# Instances of study UID as node 1 answers GET /api/studies/{uid} (0 if it does not answer).
count_study() {
  local n
  n=$(curl -fsS -m 30 "http://127.0.0.1:$(http_port 1)/api/studies/$1" |
    jq -r '.instances | length' 2>/dev/null) || n=0
  echo "${n:-0}"
}

# send ARRAY_NAME N PREFIX: the files over $ASSOCS parallel storescu processes, each a contiguous
# share (one series each), association i to node (i mod N) + 1; returns how many failed.
send() {
  local -n files=$1
  local n_nodes=$2 prefix=$3 i count=${#files[@]} pids=() failed=0
  for ((i = 0; i < ASSOCS; i++)); do
    local from=$((i * count / ASSOCS)) to=$(((i + 1) * count / ASSOCS))
    timeout "$STORE_TIMEOUT" storescu -R -aet "$CALLING_AET" -aec "$ANNAL_AET" --log-level warn \
      127.0.0.1 "$(dicom_port $((i % n_nodes + 1)))" "${files[@]:from:to-from}" \
      >"$RUN/$prefix-$i.log" 2>&1 &
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i" || failed=$((failed + 1)); done
  return "$failed"
}

# ---------------------------------------------------------------------------------------------
# Throughput with N nodes: fresh cluster, warm-up, timed set, check, stop. A failure costs only
# its own row (the caller runs it in a subshell); with N = 3 the kill trials follow on the same
# cluster before it stops.
throughput() {
  local n=$1 failed=0 t0 t1 c0 c1 held=0 uid load
  RUN=$WORK/run/nodes-$n
  rm -rf "$RUN"
  mkdir -p "$RUN"
  log "=== throughput with $n node(s) (work $RUN)"
  start_cluster "$n"
  if (( ${#WARM_FILES[@]} )); then
    log "  warm-up: ${#WARM_FILES[@]} instances over $ASSOCS associations"
    send WARM_FILES "$n" warmup || log "  warm-up: $? storescu process(es) failed (not timed)"
  fi
  sync # the warm-up's dirty pages must not be written back during the timed part
  load=$(cut -d' ' -f1 /proc/loadavg)
  log "  timed: $INSTANCES instances over $ASSOCS associations (load $load)"
  c0=$(cpu_ticks)
  t0=$(date +%s.%N)
  send FILES "$n" store || failed=$?
  t1=$(date +%s.%N)
  c1=$(cpu_ticks)
  for uid in "${STUDY_UIDS[@]}"; do held=$((held + $(count_study "$uid"))); done
  (( failed == 0 )) || log "  $failed storescu process(es) failed: see $RUN/store-*.log"
  awk -v n="$n" -v i="$INSTANCES" -v h="$held" -v t0="$t0" -v t1="$t1" -v b="$TOTAL_BYTES" \
    -v f="$failed" -v l="$load" -v cpu="$(((c1 - c0) * 100 / CLK_TCK))" 'BEGIN {
      s = t1 - t0; ok = (h == i && f == 0) ? "ok" : "INCOMPLETE"; c = cpu / 100
      printf "%d|%d|%.2f|%.1f|%.1f|%.1f|%.2f|%s|%s\n", n, h, s, i / s, b / 1e6 / s, c, c * 1000 / i, l, ok
    }' >>"$ROWS"
  log "  -> $(tail -n 1 "$ROWS")"
  if (( n == 3 && KILLS > 0 )); then
    # In a subshell of its own: a trial that fails stops the trials, not this row. It stops the
    # cluster when it ends (it restarted nodes, so it knows their pids, this shell does not).
    sub kill_trials ||
      { log "kill trials: not all complete (data kept)"; KEEP=1; }
  fi
  stop_all
  # A run that went wrong keeps its logs and data for a post-mortem.
  [[ $held == "$INSTANCES" && $failed == 0 ]] || KEEP=1
  (( KEEP )) || rm -rf "$RUN"/cassandra "$RUN"/node?
}

# ---------------------------------------------------------------------------------------------
# Kill-to-recovery on a running 3-node cluster (PID[node1..3] set, RUN the cluster's dir).
new_uid() { python3 -c 'import uuid; print("2.25.%d" % uuid.uuid4().int)'; }

# A fresh Study Instance UID whose shard is one of the given shard ids: Pekko's default
# HashCodeMessageExtractor, abs(String.hashCode(uid) % 1000), Study entity id = the UID.
uid_in_shards() {
  python3 - "$@" <<'EOF'
import sys, uuid
shards = set(sys.argv[1:])
def java_hash(s):
    h = 0
    for ch in s.encode("utf-16-be").decode("utf-16-be"):
        h = (31 * h + ord(ch)) & 0xFFFFFFFF
    return h - (1 << 32) if h >= 1 << 31 else h
while True:
    uid = "2.25.%d" % uuid.uuid4().int
    shard = str(abs(java_hash(uid)) % 1000)  # Java's % keeps the sign: abs of it = this
    if shard in shards:
        print(uid, shard)
        break
EOF
}

shards_of() { # shard ids of Study hosted by node K (empty if none or no answer)
  mgmt "$1" /cluster/shards/Study 2>/dev/null | jq -r '.regions[]?.shardId' 2>/dev/null || true
}

make_instance() { # make_instance OUT STUDY SERIES SOP: a copy of $TEMPLATE with these UIDs
  cp "$TEMPLATE" "$1"
  dcmodify -nb -m "(0020,000d)=$2" -m "(0020,000e)=$3" -m "(0008,0018)=$4" "$1" >/dev/null
}

elapsed() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", b - a}'; }

# The status of the C-STORE in storescu's verbose log, e.g. "Success", "Refused: OutOfResources".
store_status() {
  local s
  s=$(grep -o 'Received Store Response ([^)]*)' "$1" | tail -n 1 | sed 's/.*(\(.*\))/\1/') || true
  echo "${s:-no response}"
}

store_one() { # store_one PORT FILE LOG: one C-STORE; true when answered Success
  timeout 600 storescu -v -R -to 60 -aet "$CALLING_AET" -aec "$ANNAL_AET" 127.0.0.1 "$1" "$2" \
    >"$3" 2>&1 && grep -q 'Received Store Response (Success)' "$3"
}

# Makes node K host at least one Study shard: single-instance fresh studies through node K until
# its management lists one (a node that just (re)joined hosts none; new shards go to the region
# with the fewest).
ensure_hosts_shard() {
  local k=$1 i f
  for ((i = 1; i <= 20; i++)); do
    [[ -n $(shards_of "$k") ]] && return 0
    f=$RUN/kill/seed-node$k-$i.dcm
    make_instance "$f" "$(new_uid)" "$(new_uid)" "$(new_uid)"
    store_one "$(dicom_port "$k")" "$f" "${f%.dcm}.log" || log "  seeding study via node $k: not Success (${f%.dcm}.log)"
    rm -f "$f"
    sleep 1
  done
  [[ -n $(shards_of "$k") ]]
}

kill_trials() {
  local trial victim shards uid shard series f1 f2 t0 t1 secs outcome r0 rejoin held tries answer \
    resends to_success check
  mkdir -p "$RUN/kill"
  touch "$TRIALS.started"
  log "=== kill-to-recovery: $KILLS trial(s), 3 nodes"
  await_members 3 "$REJOIN_TIMEOUT"
  for ((trial = 1; trial <= KILLS; trial++)); do
    victim=$((trial % 2 ? 2 : 3))
    ensure_hosts_shard "$victim" || { log "node $victim hosts no Study shard"; return 1; }
    # A study whose shard the victim hosts; its first instance (through node 1) starts the
    # study's entity there. If the shard moved in between (rebalance), take another study.
    for ((tries = 1; ; tries++)); do
      mapfile -t shards < <(shards_of "$victim")
      (( ${#shards[@]} )) || { ensure_hosts_shard "$victim" || return 1; continue; }
      read -r uid shard < <(uid_in_shards "${shards[@]}")
      series=$(new_uid)
      f1=$RUN/kill/trial$trial-1.dcm f2=$RUN/kill/trial$trial-2.dcm
      make_instance "$f1" "$uid" "$series" "$(new_uid)"
      make_instance "$f2" "$uid" "$series" "$(new_uid)" # made now: not part of the timed path
      store_one "$(dicom_port 1)" "$f1" "$RUN/kill/trial$trial-1.log" ||
        { log "trial $trial: first instance not Success (see $RUN/kill/trial$trial-1.log)"; return 1; }
      shards_of "$victim" | grep -qx -- "$shard" && break
      (( tries < 5 )) || { log "trial $trial: shard $shard keeps leaving node $victim"; return 1; }
      log "  trial $trial: shard $shard is no longer on node $victim, another study"
    done
    if ! { alive "${PID[node$victim]}" && ours "${PID[node$victim]}"; }; then
      log "node $victim is not running"
      return 1
    fi
    log "  trial $trial: study $uid (shard $shard) on node $victim: kill -9 node $victim (pid ${PID[node$victim]})"
    t0=$(date +%s.%N)
    kill -KILL "${PID[node$victim]}"
    # The measured C-STORE: its answer, and the time from the kill to it.
    if store_one "$(dicom_port 1)" "$f2" "$RUN/kill/trial$trial-2.log"; then outcome=ok; else outcome=FAILED; fi
    t1=$(date +%s.%N)
    secs=$(elapsed "$t0" "$t1")
    answer=$(store_status "$RUN/kill/trial$trial-2.log")
    # After a failure: the same file again (a fresh association each time, as a modality that
    # retries would) until Success, for when the study took writes again. The victim stays down
    # meanwhile: restarting it earlier would change how the cluster gets rid of its old self.
    resends=0 to_success=$secs
    if [[ $outcome != ok ]]; then
      to_success=-
      log "  trial $trial: answer after $secs s: $answer (see $RUN/kill/trial$trial-2.log); resending"
      while awk -v a="$t0" -v b="$(date +%s.%N)" -v m="$RECOVERY_TIMEOUT" 'BEGIN {exit !(b - a < m)}'; do
        resends=$((resends + 1))
        if store_one "$(dicom_port 1)" "$f2" "$RUN/kill/trial$trial-2-resend$resends.log"; then
          to_success=$(elapsed "$t0" "$(date +%s.%N)")
          break
        fi
        sleep 0.5
      done
    fi
    while alive "${PID[node$victim]}"; do sleep 0.2; done
    # Same ports and data dir; wait until node 1 lists 3 members Up and none unreachable.
    r0=$SECONDS
    start_node "$victim" 3
    await_line "node$victim" "Annal ready"
    await_members 3 "$REJOIN_TIMEOUT"
    rejoin=$((SECONDS - r0))
    held=$(count_study "$uid")
    check=ok
    [[ $to_success != - && $held == 2 ]] || check=INCOMPLETE
    echo "$trial|$victim|$shard|$secs|$answer|$resends|$to_success|$held|$rejoin|$check|$uid" >>"$TRIALS"
    log "  trial $trial: first answer after $secs s ($answer), Success after $to_success s" \
      "($resends resends), study holds $held, node $victim back (3 Up) after $rejoin s"
    rm -f "$f1" "$f2"
    # For the report: the SBR's stable-after and the entity ask timeouts node 1 logged.
    grep -hoE 'stable-after = [0-9]+ ms|Ask timed out on \[EntityRef\(EntityTypeKey\[[^]]*\]\(Study\)[^]]*\] after \[[0-9]+ ms\]' \
      "$RUN"/node1/logs/*.log >>"$TRIALS.meta" 2>/dev/null || true
  done
  # Non-zero when a trial did not end complete: the caller then keeps the data dirs.
  ! awk -F'|' '$10 != "ok"' "$TRIALS" | grep -q .
}

kill_only() {
  RUN=$WORK/run/kill
  rm -rf "$RUN"
  mkdir -p "$RUN"
  log "=== fresh 3-node cluster for the kill trials (work $RUN)"
  start_cluster 3
  if ! kill_trials; then
    log "kill trials: not all complete (data kept)"
    KEEP=1
  fi
  stop_all
  (( KEEP )) || rm -rf "$RUN"/cassandra "$RUN"/node?
}

# sub FUNCTION ARGS...: runs it in a subshell that, however it ends, stops its storescu processes
# and every JVM it started. INT and TERM are passed on to it as TERM: bash runs a trap only when
# its foreground command ends, and a subshell waited for in the foreground would delay it.
sub() {
  ( trap 'jobs -p | xargs -r kill 2>/dev/null; stop_all' EXIT; trap 'exit 130' TERM; "$@" ) &
  local pid=$! rc=0
  # shellcheck disable=SC2064 # $pid now
  trap "kill -TERM $pid 2>/dev/null; wait $pid; exit 130" INT TERM
  wait "$pid" || rc=$?
  trap 'exit 130' INT TERM
  return "$rc"
}

trap 'exit 130' INT TERM
for n in $NODES; do
  if ! sub throughput "$n"; then
    log "throughput with $n node(s) failed; logs under $WORK/run/nodes-$n"
    echo "$n|0|0|0|0|-|-|-|FAILED" >>"$ROWS"
  fi
done
# Without a 3-node throughput run that got as far as the trials: a fresh 3-node cluster for them.
if (( KILLS > 0 )) && [[ ! -e $TRIALS.started ]]; then
  sub kill_only || log "kill trials failed; logs under $WORK/run/kill"
fi
rm -f "$TRIALS.started"
trap 'rm -f "$TRIALS.meta"' EXIT

# ---------------------------------------------------------------------------------------------
# Report
REPORT=$WORK/report-$STAMP.txt
{
  echo "# Annal cluster benchmark, $STAMP"
  echo
  echo "Command: ${ANNAL_NO_BUILD:+ANNAL_NO_BUILD=$ANNAL_NO_BUILD }${ANNAL_JAVA_OPTS:+ANNAL_JAVA_OPTS=\"$ANNAL_JAVA_OPTS\" }load-tests/cluster-benchmark.sh$ARGS"
  echo
  echo "## Machine"
  echo "cpu: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "memory: $(awk '/MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo)" \
    "(available at the end: $(awk '/MemAvailable/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo))"
  echo "kernel: $(uname -r)"
  df -hT "$WORK" | sed 1d | awk '{print "work dir fs: " $1 " " $2 " size " $3 " avail " $5}'
  lsblk -d -o NAME,ROTA,SIZE,MODEL 2>/dev/null | sed 1d | sed 's/^/disk: /' || true
  echo "storescu: $(storescu --version 2>&1 | head -n 1)"
  echo "java: $(java -version 2>&1 | head -n 1)"
  echo "annal: $ANNAL_VERSION, git $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null)" \
    "$(git -C "$REPO" status --porcelain 2>/dev/null | grep -q . && echo '(uncommitted changes)')"
  echo "setup: all nodes and one Cassandra (\`annal cassandra\`, RF 1) on this machine; node config:" \
    "reference.conf + node id, seed list, secret${NODE_CONFIG:+ + $NODE_CONFIG}"
  if [[ -s $ROWS ]]; then
    echo
    echo "## Throughput"
    echo "Data set: $INSTANCES CT instances (1 study x $ASSOCS series x $PER_SERIES, 512x512x16 bit," \
      "seed $SEED), $TOTAL_BYTES bytes, from the page cache, $ASSOCS storescu processes (one series" \
      "each); association i goes to node (i mod N) + 1. Fresh Cassandra and nodes for each N."
    if (( WARMUP > 0 )); then
      echo "Warm-up: $WARMUP instances of another study (seed $((SEED + 1000))) the same way, not timed."
    else
      echo "No warm-up: timing starts on a freshly started cluster."
    fi
    echo
    echo "| nodes | instances held | seconds | inst/s | MB/s | / 1 node | CPU s | CPU ms/inst | load 1m | check |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    base=$(awk -F'|' '$1 == 1 && $9 == "ok" {print $4; exit}' "$ROWS")
    awk -F'|' -v base="$base" '{
      r = ($9 == "ok" && base != "" && base > 0) ? sprintf("%.2f", $4 / base) : "-"
      printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, r, $6, $7, $8, $9
    }' "$ROWS"
    echo
    echo "seconds: first storescu start to last storescu exit. Held: the instances node 1 reports" \
      "(GET /api/studies/{uid}); a row counts (ok) only if it holds all $INSTANCES and every" \
      "storescu succeeded. MB = 10^6 bytes of files sent. CPU s: user + system time of all node" \
      "JVMs and Cassandra (launcher and Cassandra JVM) during the timed part; storescu not" \
      "included. load 1m: at the start of the timed part ($(nproc) cores)."
  fi
  if (( KILLS > 0 )); then
    echo
    echo "## Kill-to-recovery (3 nodes)"
    echo "Each trial: a fresh study whose shard node 2 or 3 (alternately) hosts; one instance" \
      "through node 1 (starts the study's entity on the victim); kill -9 of the victim's JVM;" \
      "at once one more instance of that study through node 1 (storescu -to 60, no DIMSE" \
      "timeout). seconds: kill to storescu's exit; answer: the C-STORE status it received." \
      "If that is not Success, the same file is resent (new association each time) until" \
      "Success, at most ${RECOVERY_TIMEOUT}s after the kill: to Success s (- if never). Only then" \
      "the victim restarts (same ports and data dir); the next trial waits for node 1 to list 3" \
      "members Up, none unreachable (rejoin s, from the restart). held: instances of the study" \
      "node 1 reports afterwards (2 expected)."
    # What the nodes ran with, as node 1 logged it (the built jars may differ from the sources).
    sbr=$(grep -oE 'stable-after = [0-9]+ ms' "$TRIALS.meta" 2>/dev/null | sort -u | paste -sd' ' -) || true
    ask=$(grep -oE 'after \[[0-9]+ ms\]' "$TRIALS.meta" 2>/dev/null | sort -u | tr -d '[]' | paste -sd' ' -) || true
    [[ -z $sbr ]] || echo "Split Brain Resolver, as node 1 logged it: waiting for $sbr before downing."
    [[ -z $ask ]] || echo "C-STOREs refused by node 1 because the Study entity did not answer: ask timed out $ask."
    echo
    echo "| trial | victim | shard | seconds | answer | resends | to Success s | held | rejoin s | check |"
    echo "|---:|---:|---:|---:|---|---:|---:|---:|---:|---|"
    awk -F'|' '{printf "| %s | node %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
      $1, $2, $3, $4, $5, $6, $7, $8, $9, $10}' "$TRIALS"
    echo
    summary() { # summary TITLE: percentiles of the numbers on stdin
      sort -g | awk -v title="$1" '
        function rank(p,  r) { r = int(p * NR / 100); if (r < p * NR / 100) r++; if (r < 1) r = 1; return v[r] }
        { v[NR] = $1; all = all (NR > 1 ? ", " : "") $1 }
        END {
          if (NR) printf "%s (%d): p50 %s, p99 %s (nearest rank), min %s, max %s; all: %s\n",
            title, NR, rank(50), rank(99), v[1], v[NR], all
          else printf "%s: none\n", title
        }'
    }
    echo "trials: $(wc -l <"$TRIALS") of $KILLS run;" \
      "$(awk -F'|' '$5 == "Success"' "$TRIALS" | wc -l) first C-STOREs answered Success;" \
      "$(awk -F'|' '$10 == "ok"' "$TRIALS" | wc -l) complete (Success in the end, study holds 2)"
    awk -F'|' '$5 == "Success" {print $4}' "$TRIALS" | summary "kill -> Success of the C-STORE, seconds"
    awk -F'|' '$7 != "-" {print $7}' "$TRIALS" | summary "kill -> Success, resending after a failure, seconds"
  fi
  echo
  echo "Logs: $WORK/run/ (a run's data dirs are kept when it failed or with --keep)."
} >"$REPORT"
cat "$REPORT"
log "report written to $REPORT"
