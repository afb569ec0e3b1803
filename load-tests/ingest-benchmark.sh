#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Ingest benchmark: the same synthetic CT data set sent with DCMTK storescu over 1 and over N
# parallel associations to (a) DCMTK storescp --fork (files only, no database, no fsync),
# (b) Orthanc (SQLite index, fsync of every file) and (c) Annal. Every target starts empty, is
# stopped afterwards, and must hold every instance before its time counts. See README.md.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib.sh
source "$REPO/load-tests/lib.sh" # free_port, await_quiet, steady_costs, STEADY_ROUNDS
ARGS=$(printf ' %q' "$@") # as typed, for the report
INSTANCES=2000
STUDIES=1
SERIES=4
SEED=1
ASSOCS="1 4"
TARGETS="storescp orthanc annal"
REPEAT=1
WARMUP=2000
WARMUP_ROUND=1000
MAX_WARMUP=16000
WORK=${ANNAL_BENCH_DIR:-${TMPDIR:-/tmp}/annal-ingest-bench}
ANNAL_BIN=$REPO/bin/annal
ANNAL_AET=ANNAL
READY_TIMEOUT=300
STORE_TIMEOUT=3600
KEEP=0
MAX_LOAD=0
METADATA_ONLY=0
MAX_WAIT=600
INSTALL=1
CALLING_AET=BENCHSCU
ANNAL_CONFIG=

usage() {
  cat <<EOF
usage: $0 [options]
  --instances N      instances in the data set (default $INSTANCES = studies x series x K)
  --studies S        studies (default $STUDIES)
  --series S         series per study (default $SERIES)
  --seed N           generator seed (default $SEED); same seed, same bytes and UIDs
  --assocs "1 4"     association counts to measure (default "$ASSOCS")
  --targets "..."    any of: storescp orthanc annal (default "$TARGETS")
  --repeat R         measure each (target, associations) R times (default $REPEAT)
  --warmup N         before timing, each fresh target receives at least N instances of other
                     studies over the same associations, in rounds of --warmup-round (default
                     $WARMUP); 0 measures from a cold start (for Annal: JVM JIT warm-up included)
  --warmup-round R   instances per warm-up round, each round a data set of its own (seed + 1000
                     + round) (default $WARMUP_ROUND)
  --max-warmup M     after --warmup, rounds go on until the best of the last $STEADY_ROUNDS rounds
                     costs the target no less than 95 % of the CPU per instance of its best
                     round before them (steady), at most M instances (default $MAX_WARMUP);
                     M <= N: exactly N (fixed)
  --work DIR         scratch space: data set, target storage (default $WORK)
  --annal PATH       Annal launcher (default $ANNAL_BIN)
  --annal-aet AET    called AE title for Annal (default $ANNAL_AET)
  --annal-config TXT HOCON appended to Annal's configuration (an experiment's setting; reported)
  --metadata-only    8x8 images (~1.5 KB files): per-instance cost without the pixel data path
  --keep             keep each target's storage after the run (default: delete it)
  --max-load L       before each measurement wait until the 1-minute load average is below L
  --max-wait S       ... but at most S seconds (default $MAX_WAIT), then measure anyway
  --no-install       do not apt-get install missing tools
EOF
}

while [[ $# -gt 0 ]]; do
  case $1 in
    --instances) INSTANCES=$2; shift 2 ;;
    --studies) STUDIES=$2; shift 2 ;;
    --series) SERIES=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --assocs) ASSOCS=$2; shift 2 ;;
    --targets) TARGETS=$2; shift 2 ;;
    --repeat) REPEAT=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --warmup-round) WARMUP_ROUND=$2; shift 2 ;;
    --max-warmup) MAX_WARMUP=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    --annal) ANNAL_BIN=$2; shift 2 ;;
    --annal-aet) ANNAL_AET=$2; shift 2 ;;
    --annal-config) ANNAL_CONFIG=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --metadata-only) METADATA_ONLY=1; shift ;;
    --max-load) MAX_LOAD=$2; shift 2 ;;
    --max-wait) MAX_WAIT=$2; shift 2 ;;
    --no-install) INSTALL=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
done

if (( INSTANCES % (STUDIES * SERIES) != 0 )); then
  echo "--instances ($INSTANCES) must be a multiple of studies x series ($((STUDIES * SERIES)))" >&2
  exit 2
fi
PER_SERIES=$((INSTANCES / (STUDIES * SERIES)))
if (( WARMUP_ROUND <= 0 || WARMUP_ROUND % (STUDIES * SERIES) != 0 )); then
  echo "--warmup-round ($WARMUP_ROUND) must be a positive multiple of studies x series" \
    "($((STUDIES * SERIES)))" >&2
  exit 2
fi
# Rounds: at least enough for --warmup; at most enough for --max-warmup (fixed: no more).
WARMUP_ROUNDS=$(((WARMUP + WARMUP_ROUND - 1) / WARMUP_ROUND))
MAX_WARMUP_ROUNDS=$(((MAX_WARMUP + WARMUP_ROUND - 1) / WARMUP_ROUND))
(( MAX_WARMUP_ROUNDS > WARMUP_ROUNDS && WARMUP > 0 )) || MAX_WARMUP_ROUNDS=$WARMUP_ROUNDS

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# DCMTK 3.6.7 (and Orthanc, built on DCMTK) leave Nagle on unless told: every C-STORE would then
# wait ~40 ms for a delayed ACK and the benchmark would measure that (stack-notes.md).
export TCP_NODELAY=1
CLK_TCK=$(getconf CLK_TCK)

# ---------------------------------------------------------------------------------------------
# Tools
need=(storescu storescp echoscu curl jq javac java)
[[ " $TARGETS " == *" orthanc "* ]] && need+=(Orthanc)
missing=()
for t in "${need[@]}"; do command -v "$t" >/dev/null || missing+=("$t"); done
if (( ${#missing[@]} )); then
  if ! { (( INSTALL )) && command -v apt-get >/dev/null && [[ $(id -u) == 0 ]]; }; then
    die "missing tools: ${missing[*]} (install dcmtk orthanc curl jq and a JDK 17)"
  fi
  log "installing dcmtk orthanc curl jq (missing: ${missing[*]})"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    dcmtk orthanc curl jq >/dev/null
  for t in "${need[@]}"; do command -v "$t" >/dev/null || die "still missing: $t"; done
fi

mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)

# ---------------------------------------------------------------------------------------------
# Data set: the generator is compiled from source with javac (it needs only the JDK and
# org.annal.dicom.Uid), so the benchmark does not depend on the rest of the build being green.
KIND=ct
GENERATOR_OPTIONS=()
MATRIX=512x512
if (( METADATA_ONLY )); then
  KIND=ct-meta GENERATOR_OPTIONS=(--metadata-only) MATRIX=8x8
fi
# generate SEED PER_SERIES: prints the data set's directory, generating it unless complete.
generate() {
  local seed=$1 per_series=$2 data classes
  data=$WORK/data/$KIND-seed$seed-st$STUDIES-se$SERIES-in$per_series
  if [[ -f $data/manifest.tsv && $(($(wc -l <"$data/manifest.tsv") - 1)) -eq \
      $((STUDIES * SERIES * per_series)) ]]; then
    log "reusing data set $data"
  else
    log "generating $((STUDIES * SERIES * per_series)) instances" \
      "($STUDIES x $SERIES x $per_series) into $data"
    classes=$WORK/generator-classes
    rm -rf "$classes" "$data.partial"
    mkdir -p "$classes"
    src=$REPO/modules/dicom/src/main/java/org/annal/dicom
    javac -nowarn -d "$classes" "$src/Uid.java" "$src"/synth/*.java
    java -cp "$classes" org.annal.dicom.synth.SyntheticCt --out "$data.partial" \
      --studies "$STUDIES" --series "$SERIES" --instances "$per_series" --seed "$seed" \
      "${GENERATOR_OPTIONS[@]}" >&2
    rm -rf "$data"
    mv "$data.partial" "$data" # only a complete data set is ever reused
  fi
  echo "$data"
}
DATA=$(generate "$SEED" "$PER_SERIES")
# Warm-up rounds: each a data set of its own (seed + 1000 + round), generated up front so that
# generating never overlaps a target's rounds.
WARM_DATA=()
for ((k = 0; k < MAX_WARMUP_ROUNDS; k++)); do
  WARM_DATA+=("$(generate $((SEED + 1000 + k)) $((WARMUP_ROUND / (STUDIES * SERIES))))")
done
mapfile -t FILES < <(tail -n +2 "$DATA/manifest.tsv" | cut -f1 | sed "s|^|$DATA/|")
mapfile -t STUDY_UIDS < <(tail -n +2 "$DATA/manifest.tsv" | cut -f2 | sort -u)
TOTAL_BYTES=$(tail -n +2 "$DATA/manifest.tsv" | awk -F'\t' '{s += $5} END {printf "%d", s}')
(( ${#FILES[@]} == INSTANCES )) || die "manifest lists ${#FILES[@]} files, expected $INSTANCES"
# Read once so that every target is fed from the page cache, not from the disk it writes to.
cat "${FILES[@]}" >/dev/null

# ---------------------------------------------------------------------------------------------
# Targets. Each start_* sets TARGET_PID (a process group leader, started with setsid so that
# stopping it also stops storescp's forked children), PORT and AET, and returns when the target
# answers C-ECHO. Each count_* prints how many instances the target holds.
TARGET_PID=

await() { # await SECONDS DESCRIPTION COMMAND...: poll a condition until a deadline
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@" >/dev/null 2>&1; do
    kill -0 "$TARGET_PID" 2>/dev/null || die "$what: target exited (see $RUN/target.log)"
    (( SECONDS < deadline )) || die "$what: not within the deadline (see $RUN/target.log)"
    sleep 0.2
  done
}

echo_ok() { echoscu -aet "$CALLING_AET" -aec "$AET" -to 5 127.0.0.1 "$PORT"; }

start_storescp() {
  PORT=$(free_port) AET=STORESCP
  mkdir -p "$RUN/storage"
  # +B writes each data set as received (no re-encoding), as Annal stores bytes as received.
  setsid storescp --fork +B -aet "$AET" -od "$RUN/storage" --log-level warn "$PORT" \
    >"$RUN/target.log" 2>&1 &
  TARGET_PID=$!
  await 30 "storescp start" echo_ok
}
count_storescp() { echo $(( $(find "$RUN/storage" -type f | wc -l) - WARM_SENT )); }

start_orthanc() {
  PORT=$(free_port) AET=ORTHANC HTTP=$(free_port)
  mkdir -p "$RUN/storage" "$RUN/index"
  cat >"$RUN/orthanc.json" <<EOF
{
  "Name": "annal-ingest-benchmark",
  "StorageDirectory": "$RUN/storage",
  "IndexDirectory": "$RUN/index",
  "StorageCompression": false,
  "SyncStorageArea": true,
  "DicomServerEnabled": true,
  "DicomAet": "$AET",
  "DicomPort": $PORT,
  "DicomThreadsCount": 4,
  "DicomCheckCalledAet": false,
  "DicomModalities": { "bench": [ "$CALLING_AET", "127.0.0.1", 104 ] },
  "HttpServerEnabled": true,
  "HttpPort": $HTTP,
  "RemoteAccessAllowed": false,
  "AuthenticationEnabled": false,
  "Plugins": []
}
EOF
  setsid Orthanc "$RUN/orthanc.json" >"$RUN/target.log" 2>&1 &
  TARGET_PID=$!
  await 60 "Orthanc start" curl -fsS "http://127.0.0.1:$HTTP/system"
  await 30 "Orthanc C-ECHO" echo_ok
}
count_orthanc() {
  local api files
  api=$(curl -fsS "http://127.0.0.1:$HTTP/statistics" | jq -r .CountInstances)
  files=$(find "$RUN/storage" -type f | wc -l)
  # Orthanc keeps one attachment file per instance here; a file count lower than the index's
  # count would mean an index row without its file.
  (( files >= api )) || log "Orthanc: $api instances indexed but only $files files stored"
  echo $(( (api < files ? api : files) - WARM_SENT ))
}

start_annal() {
  [[ -x $ANNAL_BIN ]] || die "no Annal launcher at $ANNAL_BIN (use --annal PATH)"
  PORT=$(free_port) AET=$ANNAL_AET HTTP=$(free_port)
  local cluster
  cluster=$(free_port)
  # The embedded Cassandra defaults to ports 9042 and 7000, which a developer's own node may be
  # using: let it pick free ones. Everything else is the node's default configuration.
  { echo 'annal.cassandra.embedded { native-port = 0, storage-port = 0 }'
    echo "$ANNAL_CONFIG"; } >"$RUN/annal.conf"
  setsid "$ANNAL_BIN" run --data-dir "$RUN/data" --dicom-port "$PORT" --http-port "$HTTP" \
    --cluster-port "$cluster" --ae-title "$AET" --config "$RUN/annal.conf" \
    >"$RUN/target.log" 2>&1 &
  TARGET_PID=$!
  await "$READY_TIMEOUT" "Annal ready" grep -q "Annal ready" "$RUN/target.log"
  await 30 "Annal C-ECHO" echo_ok
}
count_annal() {
  local total=0 n uid
  for uid in "${STUDY_UIDS[@]}"; do
    # The study's state has "instances" keyed by SOP Instance UID; a list or a count would do too.
    n=$(curl -fsS "http://127.0.0.1:$HTTP/api/studies/$uid" | jq -r '
      if (.instances | type) == "array" or (.instances | type) == "object" then (.instances | length)
      elif (.instances | type) == "number" then .instances
      else (.instanceCount // .numberOfInstances // .numberOfStudyRelatedInstances // 0) end' \
      2>/dev/null) || n=0
    total=$((total + ${n:-0}))
  done
  echo "$total"
}

# The target and every process it started, by parent links: Annal starts its embedded Cassandra in
# a session of its own, so the process group alone would miss it.
target_tree() {
  ps -eo pid=,ppid= | awk -v root="$TARGET_PID" '{ parent[$1] = $2 }
    END { for (p in parent) { q = p; while (q != root && q in parent && q > 1) q = parent[q]
          if (q == root) print p } }'
}

# CPU time (user + system, in clock ticks) used so far by the target's processes, children that
# were waited for included. On a shared machine the wall time depends on the neighbours; the CPU
# time per instance much less so.
group_cpu_ticks() {
  local p total=0 t
  for p in $(target_tree); do
    t=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13 + $14 + $15}') || t=0
    total=$((total + ${t:-0}))
  done
  echo "$total"
}

stop_target() {
  [[ -n $TARGET_PID ]] || return 0
  local tree p deadline
  tree=$(target_tree)
  if kill -0 "$TARGET_PID" 2>/dev/null; then
    # The group gets SIGTERM (storescp's children too); Annal then stops its own Cassandra.
    kill -TERM -- "-$TARGET_PID" 2>/dev/null || true
    deadline=$((SECONDS + 60))
    while kill -0 "$TARGET_PID" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.2; done
    kill -0 "$TARGET_PID" 2>/dev/null && { log "target did not stop: SIGKILL"; kill -KILL -- "-$TARGET_PID" 2>/dev/null || true; }
  fi
  wait "$TARGET_PID" 2>/dev/null || true
  # Anything the target started in another session must be gone too before the next run.
  deadline=$((SECONDS + 60))
  for p in $tree; do
    while kill -0 "$p" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.2; done
    kill -0 "$p" 2>/dev/null && { log "process $p outlived the target: SIGKILL"; kill -KILL "$p" 2>/dev/null || true; }
  done
  TARGET_PID=
}
trap stop_target EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------------------------
# One measurement, in a subshell so that a target that fails to start or to stop costs only its
# own row: fresh target, N storescu processes each sending a contiguous share of the files (with
# the default layout, one series each), wall time from the first start to the last exit.
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
ROWS=$WORK/rows-$STAMP.txt
WARM_ROWS=$WORK/warmup-$STAMP.txt
: >"$ROWS"
: >"$WARM_ROWS"
# send ARRAY_NAME N LOG_PREFIX: the files in ARRAY_NAME over N parallel storescu associations,
# each a contiguous share; returns the number of storescu processes that failed.
send() {
  local -n files=$1
  local assocs=$2 prefix=$3 i n=${#files[@]} pids=() failed=0
  for ((i = 0; i < assocs; i++)); do
    local from=$((i * n / assocs)) to=$(((i + 1) * n / assocs))
    timeout "$STORE_TIMEOUT" storescu -R -aet "$CALLING_AET" -aec "$AET" --log-level warn \
      127.0.0.1 "$PORT" "${files[@]:from:to-from}" >"$RUN/$prefix-$i.log" 2>&1 &
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i" || failed=$((failed + 1)); done
  return "$failed"
}

# warm_up TARGET ASSOCS: the warm-up rounds (untimed), each a fresh data set of other studies;
# sets WARM_SENT and appends a row to WARM_ROWS: target|assocs|rounds|instances|ended|CPU ms/inst
# of each round. A JVM compiles its hot code for minutes (stop 14: the node's compilers still
# used 3.1-3.5 ms of CPU per instance after 10,000), and an archive runs for months: rounds go on
# until the target's CPU per instance stops falling, by the same rule for every target.
WARM_SENT=0
warm_up() {
  local target=$1 assocs=$2 k c0 c1 t0 t1 ended="at most" cpus=() per=()
  WARM_SENT=0
  (( MAX_WARMUP_ROUNDS > 0 )) || return 0 # --warmup 0: cold start, no row
  (( MAX_WARMUP_ROUNDS > WARMUP_ROUNDS )) || ended=fixed
  for ((k = 0; k < MAX_WARMUP_ROUNDS; k++)); do
    local -a round_files
    mapfile -t round_files < <(tail -n +2 "${WARM_DATA[k]}/manifest.tsv" | cut -f1 |
      sed "s|^|${WARM_DATA[k]}/|")
    cat "${round_files[@]}" >/dev/null # from the page cache, as the timed files
    c0=$(group_cpu_ticks)
    t0=$(date +%s.%N)
    send round_files "$assocs" "warmup-$k" ||
      log "  warm-up round $((k + 1)): $? storescu process(es) failed"
    t1=$(date +%s.%N)
    c1=$(group_cpu_ticks)
    WARM_SENT=$((WARM_SENT + ${#round_files[@]}))
    # CPU per instance in hundredths of a ms (integers for bash).
    cpus+=($(((c1 - c0) * 100000 / CLK_TCK / ${#round_files[@]})))
    per+=("$(awk -v c="${cpus[-1]}" 'BEGIN {printf "%.1f", c / 100}')")
    log "  warm-up round $((k + 1)): ${#round_files[@]} instances, $(awk -v n="${#round_files[@]}" \
      -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", n / (b - a)}') inst/s," \
      "target CPU ${per[-1]} ms/inst"
    [[ $ended == fixed ]] && continue
    # lib.sh: the best of the last three rounds within 5 % of the best round before them.
    if (( k + 1 >= WARMUP_ROUNDS )) && steady_costs "${cpus[@]}"; then
      ended=steady
      break
    fi
  done
  echo "$target|$assocs|${#per[@]}|$WARM_SENT|$ended|${per[*]}" >>"$WARM_ROWS"
}

measure() {
  local target=$1 assocs=$2 run_no=$3 failed=0 t0 t1 held load c0 c1
  trap stop_target EXIT
  RUN=$WORK/run/$target-$assocs-$run_no
  rm -rf "$RUN"
  mkdir -p "$RUN"
  log "$target, $assocs association(s), run $run_no: starting target"
  "start_$target"
  warm_up "$target" "$assocs"
  sync # a previous run's dirty pages must not be written back during this one
  # The machine may be shared: the 1-minute load average at the start goes into the row.
  load=$(cut -d' ' -f1 /proc/loadavg)
  c0=$(group_cpu_ticks)
  t0=$(date +%s.%N)
  send FILES "$assocs" store || failed=$?
  t1=$(date +%s.%N)
  c1=$(group_cpu_ticks)
  held=$("count_$target")
  stop_target
  (( failed == 0 )) || log "$failed storescu process(es) failed: see $RUN/store-*.log"
  awk -v t="$target" -v a="$assocs" -v n="$INSTANCES" -v h="$held" -v t0="$t0" -v t1="$t1" \
    -v b="$TOTAL_BYTES" -v f="$failed" -v l="$load" -v cpu="$(((c1 - c0) * 100 / CLK_TCK))" 'BEGIN {
      s = t1 - t0; ok = (h == n && f == 0) ? "ok" : "INCOMPLETE"; c = cpu / 100;
      printf "%s|%d|%d|%.2f|%.1f|%.1f|%s|%s|%.1f|%.1f\n",
        t, a, h, s, n / s, b / 1e6 / s, ok, l, c, c * 1000 / n }' >>"$ROWS"
  log "  -> $(tail -n 1 "$ROWS")"
  # An incomplete run keeps its logs and storage for a post-mortem.
  (( KEEP )) || [[ $held != "$INSTANCES" || $failed != 0 ]] || rm -rf "$RUN"
}

if [[ " $TARGETS " == *" annal "* ]]; then
  # bin/annal builds the tree first when sources are newer than its jar: do that here, outside
  # the start-up deadline (ANNAL_NO_BUILD=1 skips it).
  [[ -x $ANNAL_BIN ]] || die "no Annal launcher at $ANNAL_BIN (use --annal PATH)"
  log "Annal: $("$ANNAL_BIN" --version 2>&1 | tr "\n" " ")"
fi

# Repetitions outermost and targets innermost: on a shared machine, load that comes and goes then
# hits every target alike instead of all runs of one target.
for ((r = 1; r <= REPEAT; r++)); do
  for assocs in $ASSOCS; do
    for target in $TARGETS; do
      await_quiet "$MAX_LOAD" "$MAX_WAIT" # lib.sh: --max-load / --max-wait
      if ! (measure "$target" "$assocs" "$r"); then
        log "$target with $assocs association(s) failed; continuing with the next measurement"
        echo "$target|$assocs|0|0|0|0|FAILED|-|-|-" >>"$ROWS"
      fi
    done
  done
done

# ---------------------------------------------------------------------------------------------
# Report: machine, table, Annal's ratio to each baseline (median inst/s of the complete runs).
RESULT_DIR=$REPO/load-tests/results
mkdir -p "$RESULT_DIR"
REPORT=$RESULT_DIR/$STAMP.md
median() { # median inst/s of complete runs of target $1 with $2 associations, or empty
  awk -F'|' -v t="$1" -v a="$2" '$1 == t && $2 == a && $7 == "ok" {print $5}' "$ROWS" | sort -g |
    awk '{v[NR] = $1} END {if (NR) printf "%.1f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
{
  echo "# Annal ingest benchmark, $STAMP"
  echo
  echo "Command: \`${ANNAL_NO_BUILD:+ANNAL_NO_BUILD=$ANNAL_NO_BUILD }load-tests/ingest-benchmark.sh$ARGS\`"
  echo "Data set: $INSTANCES CT instances ($STUDIES studies x $SERIES series x $PER_SERIES," \
    "${MATRIX}x16 bit, Explicit VR Little Endian, seed $SEED), $TOTAL_BYTES bytes," \
    "sent with DCMTK storescu from the page cache; each association sends a contiguous share."
  if (( MAX_WARMUP_ROUNDS > WARMUP_ROUNDS )); then
    echo "Warm-up: before timing, every fresh target received rounds of $WARMUP_ROUND instances of" \
      "other studies (each round a data set of its own, seed $((SEED + 1000)) + round) over the" \
      "same number of associations, at least $WARMUP instances, then more rounds until the best" \
      "of the last $STEADY_ROUNDS rounds cost the target's processes no less than 95 % of the CPU" \
      "per instance of their best round before them (steady), at most $MAX_WARMUP instances. The" \
      "same rule for every target: a JVM compiles its hot code for minutes and an archive runs" \
      "for months; a server that is steady from the start stops after" \
      "$(( WARMUP_ROUNDS > STEADY_ROUNDS ? WARMUP_ROUNDS : STEADY_ROUNDS + 1 )) rounds." \
      "\`--warmup 0\` measures from a cold start."
  elif (( WARMUP_ROUNDS > 0 )); then
    echo "Warm-up: before timing, every fresh target received $((WARMUP_ROUNDS * WARMUP_ROUND))" \
      "instances of other studies in rounds of $WARMUP_ROUND (seed $((SEED + 1000)) + round)" \
      "over the same number of associations (fixed: \`--max-warmup\` <= \`--warmup\`)."
  else
    echo "No warm-up (\`--warmup 0\`): timing starts on a freshly started target."
  fi
  echo
  echo "## Machine"
  echo '```'
  echo "cpu: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "kernel: $(uname -r)"
  free -g
  df -hT "$WORK" | sed 1d | awk '{print "work dir fs: " $1 " " $2 " size " $3 " avail " $5}'
  lsblk -d -o NAME,ROTA,SIZE,MODEL 2>/dev/null | sed 's/^/disk: /' || true
  echo "storescu: $(storescu --version 2>&1 | head -n 1)"
  command -v Orthanc >/dev/null && echo "orthanc: $(Orthanc --version 2>&1 | head -n 1)"
  echo "java: $(java -version 2>&1 | head -n 1)"
  echo "annal: $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')" \
    "$(git -C "$REPO" status --porcelain 2>/dev/null | grep -q . && echo '(uncommitted changes)')"
  echo '```'
  echo
  echo "## Results"
  echo "| target | associations | instances held | seconds | inst/s | MB/s | CPU s | CPU ms/inst | load 1m | check |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  awk -F'|' '{printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
    $1, $2, $3, $4, $5, $6, $9, $10, $8, $7}' "$ROWS"
  echo
  echo "MB = 10^6 bytes of files sent. storescp: DCMTK storescp --fork +B, writes files, no fsync," \
    "no database. orthanc: Orthanc, default SQLite index, fsync of each file (SyncStorageArea)." \
    "A row counts only if the target holds every instance afterwards (check = ok)." \
    "CPU s: user + system CPU time of the target's processes during the run (for Annal: node and" \
    "embedded Cassandra), storescu not included." \
    "load 1m: the machine's 1-minute load average when the row started ($(nproc) cores)."
  if [[ -s $WARM_ROWS ]]; then
    echo
    echo "## Warm-up"
    echo "| target | associations | rounds | instances | ended | target CPU ms/inst in each round |"
    echo "|---|---:|---:|---:|---|---|"
    awk -F'|' '{printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6}' "$WARM_ROWS"
  fi
  if [[ " $TARGETS " == *" annal "* ]]; then
    echo
    echo "## Annal / baseline (median inst/s)"
    echo "| associations | Annal inst/s | / storescp | / orthanc |"
    echo "|---:|---:|---:|---:|"
    for assocs in $ASSOCS; do
      a=$(median annal "$assocs") s=$(median storescp "$assocs") o=$(median orthanc "$assocs")
      awk -v a="$a" -v s="$s" -v o="$o" -v n="$assocs" 'BEGIN {
        printf "| %s | %s | %s | %s |\n", n, (a == "" ? "-" : a),
          (a == "" || s == "" ? "-" : sprintf("%.2f", a / s)),
          (a == "" || o == "" ? "-" : sprintf("%.2f", a / o)) }'
    done
  fi
} >"$REPORT"
cat "$REPORT"
log "results written to $REPORT"
