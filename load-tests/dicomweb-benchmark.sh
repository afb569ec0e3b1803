#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# DICOMweb benchmark (issue 5), on one Annal node, each DICOMweb figure next to its DIMSE
# counterpart measured in the same run:
#   - ingest: the synthetic CT set (default 2,000 x 512 KiB) through C-STORE (storescu, N
#     parallel associations) and a second set of the same shape (other UIDs) through STOW-RS (N
#     concurrent clients, multipart requests of --batch instances, streamed);
#   - retrieve: one study of --retrieve-instances through C-GET (getscu) and WADO-RS (curl,
#     multipart/related application/dicom, transfer-syntax=*), MB/s, best of --retrieves;
#   - QIDO-RS p50/p99 over one keep-alive connection (exact PatientID, wildcard PatientName,
#     date range + modality), every answer count checked; with --qido-studies S a metadata-only
#     set of S studies x --qido-instances-per-study is stored first (200,000 instances:
#     --qido-studies 5000 --qido-instances-per-study 40).
# The node starts empty (embedded Cassandra) and is stopped afterwards. See README.md.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib.sh
source "$REPO/load-tests/lib.sh" # free_port
ARGS=$(printf ' %q' "$@")
INSTANCES=2000
SERIES=4
CLIENTS=4
BATCH=20
RETRIEVE_INSTANCES=200
RETRIEVES=3
QIDO_STUDIES=0
QIDO_PER_STUDY=20
QIDO_ROUNDS=100
QIDO_WARMUP=10
SETTLE=300
SEED=11
WARMUP=500
WORK=${ANNAL_DICOMWEB_BENCH_DIR:-${TMPDIR:-/tmp}/annal-dicomweb-bench}
ANNAL_BIN=$REPO/bin/annal
AET=ANNAL
CALLING_AET=BENCHSCU
KEEP=0
# DCMTK sets TCP_NODELAY only when asked: without it every exchange waits ~40 ms (Nagle and
# delayed ACKs), which would measure the sender's socket, not the archive.
export TCP_NODELAY=1

usage() {
  cat <<EOF
usage: $0 [options]
  --instances N               instances per ingest set (default $INSTANCES; one study, --series series)
  --series K                  series of each ingest set (default $SERIES; must divide N)
  --clients C                 parallel storescu associations / STOW clients (default $CLIENTS)
  --batch B                   instances per STOW-RS request (default $BATCH)
  --warmup W                  instances sent untimed through C-STORE and through STOW-RS first,
                              so that neither path is measured with a cold JIT (default $WARMUP)
  --retrieve-instances R      instances of the retrieved study (default $RETRIEVE_INSTANCES)
  --retrieves K               C-GET and WADO-RS repetitions, best counts (default $RETRIEVES)
  --qido-studies S            metadata-only studies stored before QIDO (default $QIDO_STUDIES)
  --qido-instances-per-study  their instances each (default $QIDO_PER_STUDY)
  --qido-rounds N             timed rounds of the QIDO queries (default $QIDO_ROUNDS)
  --settle S                  before QIDO, wait until the 1-minute load is below the core count,
                              at most S seconds (default $SETTLE)
  --work DIR                  data sets (cached) and run directories (default $WORK)
  --keep                      keep the node's data directory
EOF
}
while (( $# )); do
  case $1 in
    --instances) INSTANCES=$2; shift 2 ;;
    --series) SERIES=$2; shift 2 ;;
    --clients) CLIENTS=$2; shift 2 ;;
    --batch) BATCH=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --retrieve-instances) RETRIEVE_INSTANCES=$2; shift 2 ;;
    --retrieves) RETRIEVES=$2; shift 2 ;;
    --qido-studies) QIDO_STUDIES=$2; shift 2 ;;
    --qido-instances-per-study) QIDO_PER_STUDY=$2; shift 2 ;;
    --qido-rounds) QIDO_ROUNDS=$2; shift 2 ;;
    --settle) SETTLE=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
(( INSTANCES % SERIES == 0 )) || { echo "--series must divide --instances" >&2; exit 2; }
# SyntheticCt writes at most 9,999 studies per run.
(( QIDO_STUDIES <= 9999 )) || { echo "--qido-studies is at most 9999" >&2; exit 2; }

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
for tool in storescu getscu echoscu curl jq python3 javac; do
  command -v "$tool" >/dev/null || die "$tool is needed (apt-get install dcmtk curl jq python3)"
done

RUN=$WORK/run-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$RUN"
RESULTS=$REPO/load-tests/results/dicomweb-$(date -u +%Y%m%dT%H%M%SZ).txt
mkdir -p "$(dirname "$RESULTS")"

# generate KIND SEED STUDIES SERIES PER_SERIES: prints the data set's directory (cached).
generate() {
  local kind=$1 seed=$2 studies=$3 series=$4 per=$5 data classes opts=()
  [[ $kind == ct-meta ]] && opts=(--metadata-only)
  data=$WORK/data/$kind-seed$seed-st$studies-se$series-in$per
  if [[ -f $data/manifest.tsv && $(($(wc -l <"$data/manifest.tsv") - 1)) -eq \
      $((studies * series * per)) ]]; then
    log "reusing $data"
  else
    log "generating $((studies * series * per)) instances into $data"
    classes=$WORK/generator-classes
    rm -rf "$classes" "$data.partial"
    mkdir -p "$classes"
    src=$REPO/modules/dicom/src/main/java/org/annal/dicom
    javac -nowarn -d "$classes" "$src/Uid.java" "$src"/synth/*.java
    java -cp "$classes" org.annal.dicom.synth.SyntheticCt --out "$data.partial" \
      --studies "$studies" --series "$series" --instances "$per" --seed "$seed" "${opts[@]}" >&2
    mv "$data.partial" "$data"
  fi
  echo "$data"
}
files_of() { tail -n +2 "$1/manifest.tsv" | cut -f1 | sed "s|^|$1/|"; }
bytes_of() { tail -n +2 "$1/manifest.tsv" | awk -F'\t' '{s += $5} END {printf "%d", s}'; }

DIMSE_SET=$(generate ct "$SEED" 1 "$SERIES" $((INSTANCES / SERIES)))
STOW_SET=$(generate ct $((SEED + 1)) 1 "$SERIES" $((INSTANCES / SERIES)))
RETRIEVE_SET=$(generate ct $((SEED + 2)) 1 1 "$RETRIEVE_INSTANCES")
WARM_SETS=()
if (( WARMUP > 0 )); then
  WARM_SETS=("$(generate ct $((SEED + 4)) 1 1 "$WARMUP")" "$(generate ct $((SEED + 5)) 1 1 "$WARMUP")")
fi
QIDO_SET=
if (( QIDO_STUDIES > 0 )); then
  QIDO_SET=$(generate ct-meta $((SEED + 3)) "$QIDO_STUDIES" 1 "$QIDO_PER_STUDY")
fi
for set in "$DIMSE_SET" "$STOW_SET" "$RETRIEVE_SET"; do
  files_of "$set" | xargs cat >/dev/null # into the page cache: the sender's disk is not measured
done

# --- the node ------------------------------------------------------------------------------
PORT=$(free_port) HTTP=$(free_port) CLUSTER=$(free_port)
echo 'annal.cassandra.embedded { native-port = 0, storage-port = 0 }' >"$RUN/annal.conf"
setsid "$ANNAL_BIN" run --data-dir "$RUN/data" --dicom-port "$PORT" --http-port "$HTTP" \
  --cluster-port "$CLUSTER" --ae-title "$AET" --config "$RUN/annal.conf" >"$RUN/node.log" 2>&1 &
NODE_PID=$!
stop_node() {
  kill -TERM -- "-$NODE_PID" 2>/dev/null || true
  for _ in $(seq 1 120); do kill -0 "$NODE_PID" 2>/dev/null || break; sleep 0.5; done
  kill -KILL -- "-$NODE_PID" 2>/dev/null || true
  (( KEEP )) || rm -rf "$RUN/data"
}
trap stop_node EXIT
trap 'exit 143' INT TERM # so that EXIT runs and the node is stopped
for _ in $(seq 1 600); do
  grep -q "Annal ready" "$RUN/node.log" && break
  kill -0 "$NODE_PID" 2>/dev/null || die "node exited (see $RUN/node.log)"
  sleep 0.5
done
grep -q "Annal ready" "$RUN/node.log" || die "node not ready (see $RUN/node.log)"
BASE=http://127.0.0.1:$HTTP/dicom-web
log "node ready: DICOM $PORT, HTTP $HTTP"

# split SET: files into $RUN/split-N.txt, round robin over the clients
split_set() {
  rm -f "$RUN"/split-*.txt
  files_of "$1" | awk -v n="$CLIENTS" -v dir="$RUN" '{ print > (dir "/split-" (NR % n) ".txt") }'
}
indexed() { # indexed STUDY_UID COUNT: QIDO-RS counts COUNT instances in the study
  local n
  # NumberOfStudyRelatedInstances: the index's own count (a listing would stop at max-results).
  n=$(curl -fsS "$BASE/studies?StudyInstanceUID=$1" | jq -r '.[0]["00201208"].Value[0]' \
    2>/dev/null) || return 1
  [[ $n == "$2" ]]
}
await_indexed() { # the set's first, middle and last studies, each with all its instances
  local set=$1 studies per study
  studies=$(tail -n +2 "$set/manifest.tsv" | cut -f2 | sort -u | wc -l)
  per=$(( ($(wc -l <"$set/manifest.tsv") - 1) / studies ))
  for study in $(tail -n +2 "$set/manifest.tsv" | cut -f2 | awk '!seen[$0]++' | \
      sed -n "1p;$(( (studies + 1) / 2 ))p;\$p"); do
    for _ in $(seq 1 2400); do indexed "$study" "$per" && continue 2; sleep 0.5; done
    die "study $study not fully indexed"
  done
}

# --- ingest: C-STORE then STOW-RS ---------------------------------------------------------
if (( WARMUP > 0 )); then
  log "warm-up: $WARMUP instances through C-STORE and $WARMUP through STOW-RS, untimed"
  files_of "${WARM_SETS[0]}" | xargs storescu -aet "$CALLING_AET" -aec "$AET" 127.0.0.1 "$PORT" \
    >"$RUN/warmup-store.log" 2>&1 || die "warm-up C-STORE failed (see $RUN/warmup-store.log)"
  files_of "${WARM_SETS[1]}" >"$RUN/warmup-stow.txt"
  python3 "$REPO/load-tests/dicomweb/stow_client.py" "$BASE" "$BATCH" "$RUN/warmup-stow.txt" \
    >"$RUN/warmup-stow.json" 2>&1 || die "warm-up STOW-RS failed (see $RUN/warmup-stow.json)"
  await_indexed "${WARM_SETS[1]}"
fi
split_set "$DIMSE_SET"
log "C-STORE of $INSTANCES instances over $CLIENTS associations"
start=$(date +%s.%N)
pids=()
for f in "$RUN"/split-*.txt; do
  xargs -a "$f" storescu -aet "$CALLING_AET" -aec "$AET" -to 30 -ta 30 -td 120 127.0.0.1 "$PORT" \
    >"$f.log" 2>&1 &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || die "storescu failed (see $RUN/split-*.txt.log)"; done
cstore_s=$(echo "$(date +%s.%N) - $start" | bc)
await_indexed "$DIMSE_SET"

split_set "$STOW_SET"
log "STOW-RS of $INSTANCES instances from $CLIENTS clients, $BATCH per request"
start=$(date +%s.%N)
pids=()
for f in "$RUN"/split-*.txt; do
  python3 "$REPO/load-tests/dicomweb/stow_client.py" "$BASE" "$BATCH" "$f" >"$f.json" 2>"$f.err" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || die "STOW client failed (see $RUN/split-*.txt.err)"; done
stow_s=$(echo "$(date +%s.%N) - $start" | bc)
stow_failed=$(cat "$RUN"/split-*.txt.json | jq -s 'map(.failed) | add')
(( stow_failed == 0 )) || die "$stow_failed STOW-RS instances failed"
await_indexed "$STOW_SET"
ingest_mb=$(echo "scale=1; $(bytes_of "$DIMSE_SET") / 1000000" | bc)

# --- retrieve: C-GET and WADO-RS of one study ---------------------------------------------
log "storing the $RETRIEVE_INSTANCES-instance study to retrieve"
files_of "$RETRIEVE_SET" | xargs storescu -aet "$CALLING_AET" -aec "$AET" 127.0.0.1 "$PORT" \
  >"$RUN/retrieve-store.log" 2>&1
await_indexed "$RETRIEVE_SET"
STUDY=$(awk -F"\t" "NR == 2 { print \$2 }" "$RETRIEVE_SET/manifest.tsv")
best_get=0 best_wado=0
for i in $(seq 1 "$RETRIEVES"); do
  rm -rf "$RUN/got" && mkdir -p "$RUN/got"
  start=$(date +%s.%N)
  getscu -S -aet "$CALLING_AET" -aec "$AET" +B -od "$RUN/got" -k QueryRetrieveLevel=STUDY \
    -k StudyInstanceUID="$STUDY" 127.0.0.1 "$PORT" >"$RUN/getscu.log" 2>&1
  secs=$(echo "$(date +%s.%N) - $start" | bc)
  got=$(find "$RUN/got" -type f | wc -l)
  (( got == RETRIEVE_INSTANCES )) || die "C-GET brought $got of $RETRIEVE_INSTANCES"
  mb=$(echo "scale=1; $(du -sb "$RUN/got" | cut -f1) / 1000000 / $secs" | bc)
  read -r size wsecs < <(curl -fsS -o /dev/null -w '%{size_download} %{time_total}\n' \
    -H 'Accept: multipart/related; type="application/dicom"; transfer-syntax=*' "$BASE/studies/$STUDY")
  wmb=$(echo "scale=1; $size / 1000000 / $wsecs" | bc)
  log "round $i: C-GET $mb MB/s, WADO-RS $wmb MB/s ($size bytes)"
  (( $(echo "$mb > $best_get" | bc) )) && best_get=$mb
  (( $(echo "$wmb > $best_wado" | bc) )) && best_wado=$wmb
done

# --- QIDO-RS ------------------------------------------------------------------------------
if [[ -n $QIDO_SET ]]; then
  log "storing the metadata-only set ($QIDO_STUDIES studies) for QIDO"
  split_set "$QIDO_SET"
  pids=()
  for f in "$RUN"/split-*.txt; do
    xargs -a "$f" -n 5000 storescu -aet "$CALLING_AET" -aec "$AET" 127.0.0.1 "$PORT" \
      >"$f.qido.log" 2>&1 &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || die "storescu failed (see $RUN/split-*.txt.qido.log)"; done
  await_indexed "$QIDO_SET"
fi
total=$(( 2 * INSTANCES + 2 * WARMUP + RETRIEVE_INSTANCES + QIDO_STUDIES * QIDO_PER_STUDY ))
# Let the node finish what the stores left (index commits, Cassandra flushes and compactions):
# the queries are timed on a node at rest, at most --settle seconds after the last store.
log "waiting for the machine to settle (1-minute load below $(nproc), at most ${SETTLE}s)"
for _ in $(seq 1 "$SETTLE"); do
  awk -v n="$(nproc)" '{ exit !($1 < n) }' /proc/loadavg && break
  sleep 1
done
# SyntheticCt's Patient IDs are SYN<seed>-<n>: the retrieved study's patient has one study.
printf '%s\t%s\n' "/studies?PatientID=SYN$((SEED + 2))-00001" 1 "/studies?PatientName=S*&limit=50" - \
  "/studies?StudyDate=19900101-20301231&ModalitiesInStudy=CT&limit=50" - >"$RUN/queries.tsv"
qido_load=$(cut -d' ' -f1 /proc/loadavg)
qido=$(python3 "$REPO/load-tests/dicomweb/qido_client.py" "$BASE" "$RUN/queries.tsv" \
  "$QIDO_ROUNDS" "$QIDO_WARMUP")

{
  echo "# DICOMweb benchmark $(date -u +%Y-%m-%dT%H:%M:%SZ): $0$ARGS"
  echo "# machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1e6}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "ingest ($INSTANCES instances, $ingest_mb MB, $CLIENTS clients)"
  printf '  C-STORE  %6.1f inst/s %7.1f MB/s\n' "$(echo "$INSTANCES / $cstore_s" | bc -l)" \
    "$(echo "$ingest_mb / $cstore_s" | bc -l)"
  printf '  STOW-RS  %6.1f inst/s %7.1f MB/s  (ratio STOW/C-STORE %.2f)\n' \
    "$(echo "$INSTANCES / $stow_s" | bc -l)" "$(echo "$ingest_mb / $stow_s" | bc -l)" \
    "$(echo "$cstore_s / $stow_s" | bc -l)"
  echo "retrieve ($RETRIEVE_INSTANCES instances, best of $RETRIEVES)"
  printf '  C-GET    %7.1f MB/s\n  WADO-RS  %7.1f MB/s  (ratio WADO/C-GET %.2f)\n' "$best_get" \
    "$best_wado" "$(echo "$best_wado / $best_get" | bc -l)"
  echo "QIDO-RS over one connection, $total instances in the archive, $QIDO_ROUNDS rounds, load at start $qido_load"
  echo "$qido" | jq -r '"  \(.query)  p50 \(.p50_ms) ms  p99 \(.p99_ms) ms  (n=\(.n))"'
} | tee "$RESULTS"
log "results in $RESULTS"
