#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Query/retrieve benchmark (issue 4): index a metadata-only synthetic data set (default 10,000
# studies / 200,000 instances) plus one full-size CT study (200 instances, ~105 MB) into Annal and
# into Orthanc (Debian package, SQLite), then measure on each, in the same run:
#   - C-FIND p50/p99 over ONE association (Study Root, STUDY level): exact PatientID, wildcard
#     PatientName, StudyDate month + ModalitiesInStudy; every answer is checked against the data;
#   - C-GET (getscu) and C-MOVE (movescu to a DCMTK storescp) of the full-size study, MB/s.
# Every target starts empty and is stopped afterwards. See README.md.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib.sh
source "$REPO/load-tests/lib.sh" # free_port, await_quiet, steady_costs, STEADY_ROUNDS
ARGS=$(printf ' %q' "$@") # as typed, for the report
STUDIES=10000
INSTANCES_PER_STUDY=20
SERIES=1
PATIENTS= # default: studies / 5 (2,000 for 10,000 studies)
RETRIEVE_INSTANCES=200
SEED=1
QUERIES=500
# Warm-ups: a node that has been running has compiled its query and retrieve paths; a JVM
# just started has not. Measured (stop 13): after 600 untimed queries a node's C2 compiler still
# used 8 s of CPU during the next 1,500 queries, and 5.7, 2.0, 1.3, 0.7 s during the four after
# that. So untimed rounds go on until the target's own CPU per query (per retrieve) stops
# falling: the best of the last three rounds within 5 % of the best round before them (stop 14:
# comparing round to round took a JIT still gaining 3-4 % a round for steady). Every target gets
# the same rule; the rounds each took are in the report.
FIND_WARMUP=200
FIND_MAX_WARMUP=3000
RETRIEVES=3
RETRIEVE_WARMUP=3
RETRIEVE_MAX_WARMUP=15
ASSOCS=4
TARGETS="annal orthanc"
WORK=${ANNAL_QR_BENCH_DIR:-${TMPDIR:-/tmp}/annal-qr-bench}
ANNAL_BIN=$REPO/bin/annal
ANNAL_AET=ANNAL
ORTHANC_AET=ORTHANC
CALLING_AET=BENCHSCU
MOVE_AET=BENCHSTORE
READY_TIMEOUT=300
STORE_TIMEOUT=14400
INDEX_TIMEOUT=1800
SETTLE_CPU=30
MAX_LOAD=0
MAX_WAIT=600
SETTLE_TIMEOUT=600
RETRIEVE_TIMEOUT=900
KEEP=0
REUSE=
INSTALL=1
SNAPSHOT=1
# SyntheticCt writes at most 9,999 studies per run: larger sets are generated in chunks of at
# most this many studies, chunk i with seed SEED + i (UIDs and Patient IDs differ per seed).
CHUNK=5000

usage() {
  cat <<EOF
usage: $0 [options]
Data (metadata-only set: studies x series x instances-per-study/series 8x8 CT images; plus one
full-size study of 512x512 CT images to retrieve; generated sets are cached under --work):
  --studies S               studies in the metadata-only set (default $STUDIES)
  --instances-per-study N   instances per study (default $INSTANCES_PER_STUDY)
  --series K                series per study (default $SERIES; must divide N)
  --patients P              patients the studies are spread over (default: studies / 5, i.e.
                            2,000 for 10,000 studies)
  --retrieve-instances R    instances of the full-size study (one series; default $RETRIEVE_INSTANCES)
  --seed N                  generator seed of the first chunk (default $SEED; chunk i: N + i;
                            the full-size study: N + 1000)
  --chunk-studies C         studies per generator run (default $CHUNK, at most 9999): the set is
                            made of ceil(S / C) chunks, studies and patients spread evenly
Measurements:
  --targets "..."           any of: annal orthanc (default "$TARGETS"), measured one after the other
  --queries Q               timed C-FIND queries of each type (default $QUERIES)
  --find-warmup W           untimed queries of each type per warm-up round (default $FIND_WARMUP);
                            rounds go on until the best of the last 3 costs the target no less
                            than 95 % of the CPU per query of its best round before them...
  --find-max-warmup M       ... but at most M queries of each type (default $FIND_MAX_WARMUP;
                            = W: one round, no CPU rule)
  --retrieves R             timed C-GETs and C-MOVEs of the full-size study (default $RETRIEVES)
  --retrieve-warmup W       untimed C-GET + C-MOVE rounds first, at least (default $RETRIEVE_WARMUP);
                            then more until the best of the last 3 costs the target no less
                            than 95 % of the CPU of its best round before them...
  --retrieve-max-warmup M   ... but at most M rounds (default $RETRIEVE_MAX_WARMUP; = W: no CPU rule)
  --assocs N                parallel storescu associations for loading (default $ASSOCS)
Other:
  --work DIR                scratch space: data sets, targets' storage, logs, reports
                            (default $WORK)
  --annal PATH              Annal launcher (default $ANNAL_BIN)
  --no-snapshot             run the launcher's jars in place; by default they are copied to
                            --work first, so that a rebuild during the run cannot change them
  --index-timeout S         seconds to wait for a target's query index to hold the whole data
                            set after loading (default $INDEX_TIMEOUT)
  --store-timeout S         seconds each storescu may take to load its share (default $STORE_TIMEOUT)
  --settle-cpu P            after loading, wait until the target's processes use less than P % of
                            one core over 5 s before measuring (default $SETTLE_CPU)
  --settle-timeout S        ... but at most S seconds (default $SETTLE_TIMEOUT; 0: do not wait)
  --max-load L              before the C-FIND and the retrieve measurements, wait until the
                            machine's 1-minute load average is below L (default $MAX_LOAD: no wait;
                            a shared machine's neighbours make the p99s)
  --max-wait S              ... but at most S seconds (default $MAX_WAIT), then measure anyway
  --keep                    keep each target's storage and logs (default: deleted when complete)
  --reuse STAMP             start each target on a copy of the storage a --keep run kept
                            (WORK/run/TARGET-STAMP) instead of loading it: same data options
                            as that run (the catalogs must match); the load rows then say
                            "reused"; saves the loading (~35 min for Annal's 200,000 here)
  --no-install              do not apt-get install missing tools
EOF
}

while [[ $# -gt 0 ]]; do
  case $1 in
    --studies) STUDIES=$2; shift 2 ;;
    --instances-per-study) INSTANCES_PER_STUDY=$2; shift 2 ;;
    --series) SERIES=$2; shift 2 ;;
    --patients) PATIENTS=$2; shift 2 ;;
    --retrieve-instances) RETRIEVE_INSTANCES=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --chunk-studies) CHUNK=$2; shift 2 ;;
    --targets) TARGETS=$2; shift 2 ;;
    --queries) QUERIES=$2; shift 2 ;;
    --find-warmup) FIND_WARMUP=$2; shift 2 ;;
    --find-max-warmup) FIND_MAX_WARMUP=$2; shift 2 ;;
    --retrieves) RETRIEVES=$2; shift 2 ;;
    --retrieve-warmup) RETRIEVE_WARMUP=$2; shift 2 ;;
    --retrieve-max-warmup) RETRIEVE_MAX_WARMUP=$2; shift 2 ;;
    --assocs) ASSOCS=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    --annal) ANNAL_BIN=$2; shift 2 ;;
    --no-snapshot) SNAPSHOT=0; shift ;;
    --index-timeout) INDEX_TIMEOUT=$2; shift 2 ;;
    --settle-cpu) SETTLE_CPU=$2; shift 2 ;;
    --settle-timeout) SETTLE_TIMEOUT=$2; shift 2 ;;
    --max-load) MAX_LOAD=$2; shift 2 ;;
    --max-wait) MAX_WAIT=$2; shift 2 ;;
    --store-timeout) STORE_TIMEOUT=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --reuse) REUSE=$2; shift 2 ;;
    --no-install) INSTALL=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
done

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

for v in STUDIES INSTANCES_PER_STUDY SERIES PATIENTS RETRIEVE_INSTANCES SEED QUERIES FIND_WARMUP \
    FIND_MAX_WARMUP RETRIEVES RETRIEVE_WARMUP RETRIEVE_MAX_WARMUP ASSOCS INDEX_TIMEOUT STORE_TIMEOUT CHUNK SETTLE_CPU SETTLE_TIMEOUT \
    MAX_WAIT; do
  [[ $v == PATIENTS && -z $PATIENTS ]] && continue
  [[ ${!v} =~ ^[0-9]+$ ]] || die "--$(tr 'A-Z_' 'a-z-' <<<"$v") must be a number: ${!v}"
done
PATIENTS=${PATIENTS:-$((STUDIES / 5))}
(( STUDIES >= 1 && INSTANCES_PER_STUDY >= 1 && SERIES >= 1 && RETRIEVE_INSTANCES >= 1 )) ||
  die "studies, instances, series must be at least 1"
(( INSTANCES_PER_STUDY % SERIES == 0 )) ||
  die "--instances-per-study ($INSTANCES_PER_STUDY) must be a multiple of --series ($SERIES)"
PER_SERIES=$((INSTANCES_PER_STUDY / SERIES))
(( CHUNK >= 1 && CHUNK <= 9999 )) || die "--chunk-studies must be 1..9999"
CHUNKS=$(((STUDIES + CHUNK - 1) / CHUNK))
(( PATIENTS >= CHUNKS )) || PATIENTS=$CHUNKS # small sets: at least one patient per chunk
# Chunk seeds SEED .. SEED + CHUNKS - 1 must stay below the full-size study's SEED + 1000.
(( CHUNKS <= 1000 )) || die "more than 1000 chunks: raise --chunk-studies"
(( PATIENTS >= CHUNKS && PATIENTS <= STUDIES )) ||
  die "--patients must be between $CHUNKS and --studies ($STUDIES)"
(( QUERIES >= 1 && RETRIEVES >= 1 && ASSOCS >= 1 )) || die "queries, retrieves, assocs: at least 1"
for t in $TARGETS; do [[ $t == annal || $t == orthanc ]] || die "unknown target: $t"; done
META_INSTANCES=$((STUDIES * INSTANCES_PER_STUDY))
RETRIEVE_SEED=$((SEED + 1000))

# DCMTK 3.6.7 (and Orthanc, built on DCMTK) leave Nagle on unless told: every request would then
# wait ~40 ms for a delayed ACK (/work/shared/notes/stack-notes.md).
export TCP_NODELAY=1

# ---------------------------------------------------------------------------------------------
# Tools
need=(storescu storescp echoscu getscu movescu curl unzip javac java)
[[ " $TARGETS " == *" orthanc "* ]] && need+=(Orthanc)
missing=()
for t in "${need[@]}"; do command -v "$t" >/dev/null || missing+=("$t"); done
if (( ${#missing[@]} )); then
  if ! { (( INSTALL )) && command -v apt-get >/dev/null && [[ $(id -u) == 0 ]]; }; then
    die "missing tools: ${missing[*]} (install dcmtk orthanc curl unzip and a JDK 17)"
  fi
  log "installing dcmtk orthanc curl unzip (missing: ${missing[*]})"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    dcmtk orthanc curl unzip >/dev/null
  for t in "${need[@]}"; do command -v "$t" >/dev/null || die "still missing: $t"; done
fi

mkdir -p "$WORK/data" "$WORK/run"
WORK=$(cd "$WORK" && pwd)
# One run per work dir at a time (data sets are generated in place).
exec 9>"$WORK/.lock"
flock -n 9 || die "another qr-benchmark.sh run uses $WORK (use --work DIR)"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
SNAP_DIR=$WORK/annal-snapshot-$STAMP # copy of Annal's jars (below)
TOOL=$WORK/tool-$STAMP               # QrBench, compiled
trap 'rm -rf "$SNAP_DIR" "$TOOL"' EXIT

# ---------------------------------------------------------------------------------------------
# Annal's jars. bin/annal builds the tree first when sources are newer than its jar: that happens
# here, outside any deadline (ANNAL_NO_BUILD=1 skips it). Then, unless --no-snapshot, the jars are
# copied into the work dir and a copy of the launcher runs them: on a shared checkout someone may
# rebuild while a run of half an hour or more is going on, and a JVM whose jar is rewritten under
# it fails in odd ways.
[[ -x $ANNAL_BIN ]] || die "no Annal launcher at $ANNAL_BIN (use --annal PATH)"
if [[ " $TARGETS " == *" annal "* ]]; then
  log "Annal: $("$ANNAL_BIN" --version 2>&1 | tr '\n' ' ')"
fi
ANNAL_ROOT=$(cd "$(dirname "$(readlink -f "$ANNAL_BIN")")/.." && pwd)
app_jar() { # the app jar under root $1
  local jar
  for jar in "$1"/modules/app/target/annal-app-*.jar; do
    case $jar in *-sources.jar|*-javadoc.jar|*-tests.jar) continue ;; esac
    [[ -f $jar ]] && { echo "$jar"; return 0; }
  done
  return 1
}
jars_ok() { # jars_ok ROOT: the app jar and Annal's own jars in its lib are complete zip files
  local j
  for j in "$(app_jar "$1")" "$1"/modules/app/target/lib/annal-*.jar; do
    [[ -f $j ]] && unzip -tqq "$j" >/dev/null 2>&1 || return 1
  done
  (( $(find "$1/modules/app/target/lib" -name '*.jar' | wc -l) >= 10 )) || return 1
  [[ -d $1/modules/cassandra-dist/target/lib ]]
}
if (( SNAPSHOT )) && [[ -f $ANNAL_ROOT/bin/annal ]] && app_jar "$ANNAL_ROOT" >/dev/null; then
  for try in 1 2 3 4 5 6; do
    rm -rf "$SNAP_DIR"
    mkdir -p "$SNAP_DIR/bin" "$SNAP_DIR/modules/app/target" "$SNAP_DIR/modules/cassandra-dist/target"
    if jars_ok "$ANNAL_ROOT" &&
        cp "$ANNAL_ROOT/bin/annal" "$SNAP_DIR/bin/annal" &&
        cp -p "$(app_jar "$ANNAL_ROOT")" "$SNAP_DIR/modules/app/target/" &&
        cp -r "$ANNAL_ROOT/modules/app/target/lib" "$SNAP_DIR/modules/app/target/lib" &&
        # Cassandra's 230 MB of dependencies change rarely: hard links, which survive their files
        # being deleted or replaced (mvn clean, a new copy), not a file rewritten in place; or a
        # copy across file systems.
        { cp -al "$ANNAL_ROOT/modules/cassandra-dist/target/lib" \
            "$SNAP_DIR/modules/cassandra-dist/target/lib" 2>/dev/null ||
          cp -r "$ANNAL_ROOT/modules/cassandra-dist/target/lib" \
            "$SNAP_DIR/modules/cassandra-dist/target/lib"; } &&
        jars_ok "$SNAP_DIR"; then
      break
    fi
    (( try < 6 )) || die "could not copy complete jars from $ANNAL_ROOT (a build running?)"
    log "jars under $ANNAL_ROOT incomplete (a build running?): retrying in 20 s"
    sleep 20
  done
  ANNAL_BIN=$SNAP_DIR/bin/annal
  ANNAL_ROOT=$SNAP_DIR
  export ANNAL_NO_BUILD=1 # the copy has no sources to compare with
  log "running Annal from a copy of its jars: $SNAP_DIR"
fi
APP_JAR=$(app_jar "$ANNAL_ROOT") || die "no modules/app/target/annal-app-*.jar under $ANNAL_ROOT"
APP_CP="$APP_JAR:$ANNAL_ROOT/modules/app/target/lib/*"

# The C-FIND client and data checks (QrBench.java, below) use Annal's own DICOM SCU
# (org.annal.dicom.net.FindScu over one ScuAssociation), compiled against the jars that run.
mkdir -p "$TOOL/classes"
# ---- QrBench.java ---------------------------------------------------------------------------
cat >"$TOOL/QrBench.java" <<'JAVA'
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.annal.app.impl.ToolSystem;
import org.annal.dicom.Dataset;
import org.annal.dicom.DicomFile;
import org.annal.dicom.ElementDictionary;
import org.annal.dicom.Tag;
import org.annal.dicom.Uid;
import org.annal.dicom.Vr;
import org.annal.dicom.net.DimseStatus;
import org.annal.dicom.net.FindScu;
import org.annal.dicom.net.ProposedContext;
import org.annal.dicom.net.QueryRetrieveSopClasses;
import org.annal.dicom.net.ScuAssociation;

/**
 * Helper of load-tests/qr-benchmark.sh (written out and compiled by it; not part of the build).
 *
 * <pre>
 * catalog --out FILE DATA_DIR...   one line per study of the generated data sets (manifest.tsv,
 *                                  first file of each study): uid, PatientID, PatientName,
 *                                  StudyDate, Modality, instances
 * await   PEER --catalog F --timeout S
 *                                  polls (STUDY-level C-FIND per month of StudyDate, one
 *                                  association per poll) until the peer answers every study of
 *                                  the catalog with its NumberOfStudyRelatedInstances
 * find    PEER --catalog F --queries N --warmup W --seed S [--raw FILE]
 *         [--target-pids P,P --max-warmup M]
 *                                  ONE association: rounds of W untimed queries of each type
 *                                  (with target pids: until the best of the last three rounds
 *                                  used no less than 95 % of the target's CPU per query of its
 *                                  best round before them, at most M of each; else one round),
 *                                  then N timed, round robin, plus as many C-ECHOs; prints WARMUP
 *                                  queries-of-each-type rounds steady|at most|fixed, and per type
 *                                  RESULT type n p50 p99 max mean-matches wrong failed (ms)
 * PEER = --host H --port P --aet CALLING --aec CALLED
 * </pre>
 */
public final class QrBench {
  static final String[] RETURN_KEYS = {"PatientName", "PatientID", "PatientBirthDate",
      "PatientSex", "StudyDate", "StudyTime", "AccessionNumber", "StudyDescription",
      "StudyInstanceUID", "ModalitiesInStudy", "NumberOfStudyRelatedSeries",
      "NumberOfStudyRelatedInstances"};
  static final PrintStream OUT = System.out;
  static final PrintStream ERR = System.err;

  record Study(String uid, String patientId, String patientName, String date, String modality,
      int instances) {}

  /** A query: its matching keys and the study UIDs it must return. */
  record Query(String type, Map<String, String> keys, java.util.Set<String> expected) {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      throw new IllegalArgumentException("usage: QrBench catalog|await|find ...");
    }
    Map<String, String> opt = new HashMap<>();
    List<String> rest = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      if (args[i].startsWith("--")) {
        opt.put(args[i].substring(2), args[++i]);
      } else {
        rest.add(args[i]);
      }
    }
    int status = switch (args[0]) {
      case "catalog" -> catalog(Path.of(opt.get("out")), rest);
      case "await" -> await(opt);
      case "find" -> find(opt);
      default -> throw new IllegalArgumentException("unknown mode " + args[0]);
    };
    System.exit(status);
  }

  // ------------------------------------------------------------------------------ catalog

  static int catalog(Path out, List<String> dataDirs) throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
      int studies = 0;
      for (String dir : dataDirs) {
        Map<String, String> firstFile = new LinkedHashMap<>();
        Map<String, Integer> count = new HashMap<>();
        List<String> lines = Files.readAllLines(Path.of(dir, "manifest.tsv"));
        for (String line : lines.subList(1, lines.size())) {
          String[] f = line.split("\t");
          firstFile.putIfAbsent(f[1], f[0]);
          count.merge(f[1], 1, Integer::sum);
        }
        for (Map.Entry<String, String> e : firstFile.entrySet()) {
          Dataset ds = DicomFile.read(Path.of(dir, e.getValue())).dataset();
          if (!e.getKey().equals(ds.getString(Tag.StudyInstanceUID))) {
            throw new IllegalStateException(e.getValue() + ": Study Instance UID differs from "
                + "the manifest's");
          }
          w.write(String.join("\t", e.getKey(), ds.getString(Tag.PatientID),
              ds.getString(Tag.PatientName), ds.getString(Tag.StudyDate),
              ds.getString(Tag.Modality), Integer.toString(count.get(e.getKey()))));
          w.newLine();
          studies++;
        }
      }
      ERR.println("catalog: " + studies + " studies -> " + out);
    }
    return 0;
  }

  static List<Study> readCatalog(String file) throws IOException {
    List<Study> studies = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of(file), StandardCharsets.UTF_8)) {
      String[] f = line.split("\t", -1);
      studies.add(new Study(f[0], f[1], f[2], f[3], f[4], Integer.parseInt(f[5])));
    }
    return studies;
  }

  // ------------------------------------------------------------------------------ association

  static ScuAssociation open(ToolSystem tool, Map<String, String> opt) throws Exception {
    return ScuAssociation.open(tool.system(), tool.scuSettings(), opt.getOrDefault("host",
                "127.0.0.1"), Integer.parseInt(opt.get("port")), opt.get("aet"), opt.get("aec"),
            List.of(ProposedContext.of(QueryRetrieveSopClasses.STUDY_ROOT_FIND,
                    Uid.EXPLICIT_VR_LITTLE_ENDIAN, Uid.IMPLICIT_VR_LITTLE_ENDIAN),
                ProposedContext.of(Uid.VERIFICATION, Uid.IMPLICIT_VR_LITTLE_ENDIAN)))
        .toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  static Dataset identifier(Map<String, String> keys) {
    Dataset ds = new Dataset();
    ds.putString(Tag.QueryRetrieveLevel, Vr.CS, "STUDY");
    for (String k : RETURN_KEYS) {
      int tag = ElementDictionary.tagOf(k);
      ds.putString(tag, ElementDictionary.vrOf(tag), keys.getOrDefault(k, ""));
    }
    for (Map.Entry<String, String> e : keys.entrySet()) {
      int tag = ElementDictionary.tagOf(e.getKey());
      ds.putString(tag, ElementDictionary.vrOf(tag), e.getValue());
    }
    return ds;
  }

  /** One C-FIND: the matches, or null with the reason in {@code failure[0]}. */
  static List<Dataset> cFind(ScuAssociation a, Map<String, String> keys, String[] failure)
      throws Exception {
    List<Dataset> matches = new ArrayList<>();
    DimseStatus status = FindScu.find(a, QueryRetrieveSopClasses.STUDY_ROOT_FIND,
            identifier(keys), m -> matches.add(m))
        .toCompletableFuture().get(300, TimeUnit.SECONDS);
    if (!status.isSuccess()) {
      failure[0] = String.format(Locale.ROOT, "status %04X %s", status.code(),
          status.errorComment() == null ? "" : status.errorComment());
      return null;
    }
    return matches;
  }

  // ------------------------------------------------------------------------------ await

  static final DateTimeFormatter DA = DateTimeFormatter.BASIC_ISO_DATE;

  /** Date ranges covering every study date of the catalog, each expected to match < 500. */
  static List<String[]> ranges(List<Study> studies) {
    TreeMap<String, Integer> perMonth = new TreeMap<>();
    for (Study s : studies) {
      perMonth.merge(s.date().substring(0, 6), 1, Integer::sum);
    }
    List<String[]> ranges = new ArrayList<>();
    for (Map.Entry<String, Integer> e : perMonth.entrySet()) {
      YearMonth ym = YearMonth.parse(e.getKey(), DateTimeFormatter.ofPattern("yyyyMM"));
      if (e.getValue() < 500) {
        ranges.add(new String[] {ym.atDay(1).format(DA), ym.atEndOfMonth().format(DA)});
      } else {
        for (LocalDate d = ym.atDay(1); !d.isAfter(ym.atEndOfMonth()); d = d.plusDays(1)) {
          ranges.add(new String[] {d.format(DA), d.format(DA)});
        }
      }
    }
    return ranges;
  }

  static int await(Map<String, String> opt) throws Exception {
    List<Study> studies = readCatalog(opt.get("catalog"));
    Map<String, Integer> expected = new HashMap<>();
    long expectedInstances = 0;
    for (Study s : studies) {
      expected.put(s.uid(), s.instances());
      expectedInstances += s.instances();
    }
    List<String[]> ranges = ranges(studies);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(
        Long.parseLong(opt.getOrDefault("timeout", "1800")));
    long start = System.nanoTime();
    String last = "";
    try (ToolSystem tool = new ToolSystem("qr-bench-await")) {
      while (true) {
        long complete = 0;
        long instances = 0;
        int foreign = 0;
        String problem = null;
        try {
          ScuAssociation a = open(tool, opt);
          try {
            for (String[] r : ranges) {
              String[] failure = new String[1];
              List<Dataset> matches = cFind(a, Map.of("StudyDate", r[0] + "-" + r[1]), failure);
              if (matches == null) {
                problem = "C-FIND " + r[0] + "-" + r[1] + ": " + failure[0];
                break;
              }
              for (Dataset m : matches) {
                Integer want = expected.get(m.getString(Tag.StudyInstanceUID));
                int have = m.getInt(Tag.NumberOfStudyRelatedInstances, -1);
                if (want == null) {
                  foreign++;
                  continue;
                }
                instances += Math.max(have, 0);
                if (have == want) {
                  complete++;
                }
              }
            }
          } finally {
            if (a.isEstablished()) {
              a.release().toCompletableFuture().get(60, TimeUnit.SECONDS);
            }
          }
        } catch (Exception e) {
          problem = e.toString();
        }
        String now = String.format(Locale.ROOT,
            "studies complete %d/%d, instances %d/%d%s%s", complete, studies.size(), instances,
            expectedInstances, foreign > 0 ? ", " + foreign + " unknown studies" : "",
            problem == null ? "" : ", " + problem);
        double secs = (System.nanoTime() - start) / 1e9;
        if (problem == null && complete == studies.size()) {
          ERR.printf(Locale.ROOT, "index complete after %.1f s: %s%n", secs, now);
          OUT.printf(Locale.ROOT, "COMPLETE\t%d\t%d\t%.1f%n", complete, instances, secs);
          return 0;
        }
        if (!now.equals(last)) {
          ERR.printf(Locale.ROOT, "  index after %.0f s: %s%n", secs, now);
          last = now;
        }
        if (System.nanoTime() > deadline) {
          OUT.printf(Locale.ROOT, "INCOMPLETE\t%d\t%d\t%.1f%n", complete, instances, secs);
          return 1;
        }
        Thread.sleep(2000);
      }
    }
  }

  // ------------------------------------------------------------------------------ find

  static Pattern wildcard(String pattern) {
    StringBuilder re = new StringBuilder();
    for (char c : pattern.toCharArray()) {
      re.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(Character.toString(c)));
    }
    return Pattern.compile(re.toString());
  }

  static List<Query> queries(List<Study> studies, Random rnd, int n) {
    List<Query> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      // Exact PatientID of a random existing study.
      String pid = studies.get(rnd.nextInt(studies.size())).patientId();
      all.add(new Query("PatientID exact", Map.of("PatientID", pid),
          select(studies, s -> s.patientId().equals(pid))));
      // PatientName: the first 3 letters of an existing family name and the first letter of the
      // given name, each followed by '*' ("SMI*^J*").
      String[] name = studies.get(rnd.nextInt(studies.size())).patientName().split("\\^", -1);
      String pattern = name[0].substring(0, Math.min(3, name[0].length())) + "*"
          + (name.length > 1 && !name[1].isEmpty() ? "^" + name[1].charAt(0) + "*" : "");
      Pattern p = wildcard(pattern);
      all.add(new Query("PatientName wildcard", Map.of("PatientName", pattern),
          select(studies, s -> p.matcher(s.patientName()).matches())));
      // StudyDate: the calendar month of an existing study, and its modality.
      Study s0 = studies.get(rnd.nextInt(studies.size()));
      YearMonth ym = YearMonth.parse(s0.date().substring(0, 6), DateTimeFormatter.ofPattern("yyyyMM"));
      String from = ym.atDay(1).format(DA);
      String to = ym.atEndOfMonth().format(DA);
      String modality = s0.modality();
      all.add(new Query("StudyDate month + ModalitiesInStudy",
          Map.of("StudyDate", from + "-" + to, "ModalitiesInStudy", modality),
          select(studies, s -> s.date().compareTo(from) >= 0 && s.date().compareTo(to) <= 0
              && s.modality().equals(modality))));
    }
    return all;
  }

  static java.util.Set<String> select(List<Study> studies, java.util.function.Predicate<Study> p) {
    java.util.Set<String> uids = new java.util.HashSet<>();
    for (Study s : studies) {
      if (p.test(s)) {
        uids.add(s.uid());
      }
    }
    return uids;
  }

  static final class Stats {
    final List<Long> nanos = new ArrayList<>();
    long matches;
    int wrong;
    int failed;
    String firstProblem;

    void problem(String what) {
      if (firstProblem == null) {
        firstProblem = what;
      }
    }
  }

  static int find(Map<String, String> opt) throws Exception {
    List<Study> studies = readCatalog(opt.get("catalog"));
    Map<String, Study> byUid = new HashMap<>();
    for (Study s : studies) {
      byUid.put(s.uid(), s);
    }
    int n = Integer.parseInt(opt.getOrDefault("queries", "500"));
    int warmup = Integer.parseInt(opt.getOrDefault("warmup", "50"));
    int maxWarmup = Integer.parseInt(opt.getOrDefault("max-warmup", String.valueOf(warmup)));
    List<Integer> targetPids = new ArrayList<>();
    for (String pid : opt.getOrDefault("target-pids", "").split(",")) {
      if (!pid.isBlank()) {
        targetPids.add(Integer.parseInt(pid.strip()));
      }
    }
    long seed = Long.parseLong(opt.getOrDefault("seed", "7"));
    Random rnd = new Random(seed);
    List<Query> warm = queries(studies, rnd, warmup);
    List<Query> timed = queries(studies, rnd, n);
    Map<String, Stats> stats = new LinkedHashMap<>();
    for (Query q : timed.subList(0, Math.min(3, timed.size()))) {
      stats.put(q.type(), new Stats());
    }
    stats.put("C-ECHO", new Stats()); // printed last
    BufferedWriter raw = opt.containsKey("raw")
        ? Files.newBufferedWriter(Path.of(opt.get("raw")), StandardCharsets.UTF_8) : null;
    try (ToolSystem tool = new ToolSystem("qr-bench-find")) {
      ScuAssociation a = open(tool, opt);
      ERR.printf(Locale.ROOT, "  one association; warm-up rounds of %d queries of each type "
          + "(at most %d of each), then %d timed%n", warmup, Math.max(warmup, maxWarmup), n);
      // Warm-up rounds until the target's CPU per query stops falling (a JVM's JIT compiles the
      // query path for thousands of queries; a C++ server is steady from the first round): the
      // same rule for every target. Without --target-pids: one round.
      int warmed = 0;
      int round = 0;
      List<Double> costs = new ArrayList<>(); // target CPU ms per query, per round
      String why = targetPids.isEmpty() ? "fixed" : "at most";
      while (true) {
        long c0 = cpuTicks(targetPids);
        for (Query q : warm) {
          cFind(a, q.keys(), new String[1]);
          a.cEcho().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
        warmed += warmup;
        round++;
        if (targetPids.isEmpty()) {
          break;
        }
        double perQuery = (cpuTicks(targetPids) - c0) * 1000.0 / TICKS_PER_SECOND / warm.size();
        ERR.printf(Locale.ROOT, "  warm-up round %d: target CPU %.2f ms per query (and C-ECHO)%n",
            round, perQuery);
        costs.add(perQuery);
        if (steady(costs)) {
          why = "steady";
          break;
        }
        if (warmed + warmup > maxWarmup) {
          break;
        }
        warm = queries(studies, new Random(seed * 31 + round), warmup);
      }
      OUT.printf(Locale.ROOT, "WARMUP\t%d\t%d\t%s%n", warmed, round, why);
      int i = 0;
      for (Query q : timed) {
        String[] failure = new String[1];
        long t0 = System.nanoTime();
        List<Dataset> matches;
        try {
          matches = cFind(a, q.keys(), failure);
        } catch (Exception e) {
          matches = null;
          failure[0] = e.toString();
        }
        long t = System.nanoTime() - t0;
        Stats st = stats.computeIfAbsent(q.type(), k -> new Stats());
        st.nanos.add(t);
        if (raw != null) {
          raw.write(q.type() + "\t" + t + "\t" + (matches == null ? -1 : matches.size()) + "\t"
              + q.keys());
          raw.newLine();
        }
        if (matches == null) {
          st.failed++;
          st.problem(q.keys() + ": " + failure[0]);
          if (!a.isEstablished()) {
            ERR.println("  association lost: " + failure[0]);
            break;
          }
        } else {
          st.matches += matches.size();
          java.util.Set<String> got = new java.util.HashSet<>();
          boolean bad = false;
          for (Dataset m : matches) {
            String uid = m.getString(Tag.StudyInstanceUID);
            got.add(uid);
            Study s = byUid.get(uid);
            int count = m.getInt(Tag.NumberOfStudyRelatedInstances, -1);
            if (s == null || count != s.instances()) {
              bad = true;
              st.problem(q.keys() + ": study " + uid + " NumberOfStudyRelatedInstances " + count
                  + (s == null ? " (unknown study)" : ", expected " + s.instances()));
            }
          }
          if (!got.equals(q.expected()) || got.size() != matches.size()) {
            bad = true;
            st.problem(q.keys() + ": " + matches.size() + " matches, expected "
                + q.expected().size());
          }
          if (bad) {
            st.wrong++;
          }
        }
        // A C-ECHO after each query: the round trip of the association itself, for comparison.
        Stats echo = stats.computeIfAbsent("C-ECHO", k -> new Stats());
        long e0 = System.nanoTime();
        try {
          DimseStatus es = a.cEcho().toCompletableFuture().get(60, TimeUnit.SECONDS);
          echo.nanos.add(System.nanoTime() - e0);
          if (!es.isSuccess()) {
            echo.failed++;
          }
        } catch (Exception e) {
          echo.failed++;
          echo.problem(e.toString());
        }
        if (++i % 300 == 0) {
          ERR.printf(Locale.ROOT, "  %d/%d queries%n", i, timed.size());
        }
      }
      if (a.isEstablished()) {
        a.release().toCompletableFuture().get(60, TimeUnit.SECONDS);
      }
    } finally {
      if (raw != null) {
        raw.close();
      }
    }
    int status = 0;
    for (Map.Entry<String, Stats> e : stats.entrySet()) {
      Stats st = e.getValue();
      long[] t = st.nanos.stream().mapToLong(Long::longValue).sorted().toArray();
      if (st.wrong > 0 || st.failed > 0) {
        ERR.println("  " + e.getKey() + ": " + st.wrong + " wrong, " + st.failed
            + " failed; first: " + st.firstProblem);
        status = 1;
      }
      OUT.printf(Locale.ROOT, "RESULT\t%s\t%d\t%.2f\t%.2f\t%.2f\t%.1f\t%d\t%d%n", e.getKey(),
          t.length, rank(t, 0.50) / 1e6, rank(t, 0.99) / 1e6,
          t.length == 0 ? 0 : t[t.length - 1] / 1e6,
          e.getKey().equals("C-ECHO") ? 0.0 : (double) st.matches / Math.max(1, t.length),
          st.wrong, st.failed);
    }
    return status;
  }

  /** Warm-up: the best of the last STEADY_ROUNDS rounds within this factor of the best before. */
  static final double STEADY = 0.95;
  /** lib.sh's STEADY_ROUNDS, which the script passes (one number for both benchmarks). */
  static final int STEADY_ROUNDS = Integer.parseInt(java.util.Objects.requireNonNull(
      System.getProperty("annal.steady-rounds"), "-Dannal.steady-rounds (set by qr-benchmark.sh)"));

  /**
   * Steady: the last {@link #STEADY_ROUNDS} rounds together improved on every round before them by
   * less than 5 % (round against round took a JIT still gaining 3-4 % a round for steady).
   */
  static boolean steady(List<Double> costs) {
    int n = costs.size();
    if (n <= STEADY_ROUNDS) {
      return false;
    }
    double before = costs.subList(0, n - STEADY_ROUNDS).stream().min(Double::compare).get();
    double recent = costs.subList(n - STEADY_ROUNDS, n).stream().min(Double::compare).get();
    return recent >= STEADY * before;
  }

  /** Linux USER_HZ, the unit of utime/stime in /proc/PID/stat. */
  static final double TICKS_PER_SECOND = 100;

  /** CPU time (user + system, clock ticks) used so far by these processes; gone ones count 0. */
  static long cpuTicks(List<Integer> pids) {
    long total = 0;
    for (int pid : pids) {
      try {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        total += Long.parseLong(f[11]) + Long.parseLong(f[12]);
      } catch (IOException | RuntimeException gone) {
        // exited: its time is no longer counted anywhere; the round's figure is then low
      }
    }
    return total;
  }

  /** Nearest-rank percentile of sorted values (0 if none). */
  static long rank(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int i = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }
}
JAVA
javac -nowarn -d "$TOOL/classes" -cp "$APP_CP" "$TOOL/QrBench.java" 2>"$TOOL/javac.log" ||
  { cat "$TOOL/javac.log" >&2; die "QrBench.java does not compile against $APP_JAR"; }
# An array, not a function: `bg` then starts java itself, whose pid a signal can reach.
# The client's futures (Pekko's Scala-future converters) run on the JDK common pool; with fewer
# than 3 cores its parallelism is 1 and every async step then starts a new thread (see Main in
# modules/app): several ms per C-FIND on 2 cores, the client's time, not the server's.
QRBENCH=(java -Xmx1g -Djava.util.concurrent.ForkJoinPool.common.parallelism=4 \
  -Dannal.steady-rounds="$STEADY_ROUNDS" -cp "$TOOL/classes:$APP_CP" QrBench)

# ---------------------------------------------------------------------------------------------
# Data sets: SyntheticCt from annal-dicom's jar (copied, for the same reason as above). Each set is
# generated into DIR.partial and renamed when complete; a complete set is reused.
DICOM_JAR=
for j in "$REPO"/modules/dicom/target/annal-dicom-*.jar "$ANNAL_ROOT"/modules/app/target/lib/annal-dicom-*.jar; do
  case $j in *-sources.jar|*-javadoc.jar|*-tests.jar) continue ;; esac
  [[ -f $j ]] && unzip -tqq "$j" >/dev/null 2>&1 && { DICOM_JAR=$j; break; }
done
[[ -n $DICOM_JAR ]] || die "no annal-dicom jar (modules/dicom/target): build it first"
cp "$DICOM_JAR" "$TOOL/annal-dicom.jar"

generate() { # generate NAME SEED STUDIES PATIENTS SERIES PER_SERIES [--metadata-only]: prints DIR
  local name=$1 seed=$2 studies=$3 patients=$4 series=$5 per=$6 data
  shift 6
  data=$WORK/data/$name-seed$seed-st$studies-pa$patients-se$series-in$per
  if [[ -f $data/manifest.tsv &&
      $(($(wc -l <"$data/manifest.tsv") - 1)) -eq $((studies * series * per)) ]]; then
    log "reusing data set $data"
  else
    log "generating $((studies * series * per)) instances ($studies studies x $series series x" \
      "$per, $patients patients, seed $seed${1:+, $1}) into $data"
    rm -rf "$data.partial"
    java -cp "$TOOL/annal-dicom.jar" org.annal.dicom.synth.SyntheticCt --out "$data.partial" \
      --studies "$studies" --series "$series" --instances "$per" --patients "$patients" \
      --seed "$seed" "$@" >&2
    rm -rf "$data"
    mv "$data.partial" "$data" # only a complete data set is ever reused
  fi
  echo "$data"
}
META_DIRS=()
for ((c = 0; c < CHUNKS; c++)); do
  s=$((STUDIES * (c + 1) / CHUNKS - STUDIES * c / CHUNKS))
  p=$((PATIENTS * (c + 1) / CHUNKS - PATIENTS * c / CHUNKS))
  META_DIRS+=("$(generate meta $((SEED + c)) "$s" "$p" "$SERIES" "$PER_SERIES" --metadata-only)")
done
RETRIEVE_DIR=$(generate full "$RETRIEVE_SEED" 1 1 1 "$RETRIEVE_INSTANCES")

# Study directories of the metadata-only set, in order: storescu (+sd +r) gets a contiguous share
# of them per association (the file list itself would be too long for a command line).
STUDY_DIRS=()
for d in "${META_DIRS[@]}"; do
  mapfile -t -O "${#STUDY_DIRS[@]}" STUDY_DIRS < <(find "$d" -mindepth 1 -maxdepth 1 -type d -name 'st*' | sort)
done
(( ${#STUDY_DIRS[@]} == STUDIES )) || die "found ${#STUDY_DIRS[@]} study directories, expected $STUDIES"
META_BYTES=$(for d in "${META_DIRS[@]}"; do tail -n +2 "$d/manifest.tsv"; done |
  awk -F'\t' '{s += $5} END {printf "%d", s}')
RETRIEVE_BYTES=$(tail -n +2 "$RETRIEVE_DIR/manifest.tsv" | awk -F'\t' '{s += $5} END {printf "%d", s}')
RETRIEVE_UID=$(sed -n 2p "$RETRIEVE_DIR/manifest.tsv" | cut -f2)

# The catalog: one line per study of both sets (first file of each study read back), from which
# the queries are drawn and against which every answer is checked.
CATALOG=$WORK/run/catalog-$STAMP.tsv
"${QRBENCH[@]}" catalog --out "$CATALOG" "${META_DIRS[@]}" "$RETRIEVE_DIR"
(( $(wc -l <"$CATALOG") == STUDIES + 1 )) || die "catalog lists $(wc -l <"$CATALOG") studies, expected $((STUDIES + 1))"
if [[ -n $REUSE ]]; then
  # The kept storage must hold exactly this run's data sets.
  cmp -s "$CATALOG" "$WORK/run/catalog-$REUSE.tsv" ||
    die "--reuse $REUSE: $WORK/run/catalog-$REUSE.tsv missing or not this run's data (same data options?)"
  for t in $TARGETS; do
    [[ -d $WORK/run/$t-$REUSE ]] || die "--reuse $REUSE: no kept $WORK/run/$t-$REUSE (run with --keep first)"
  done
fi
# Read once, so that every target is fed from the page cache (nothing is sent with --reuse).
if [[ -z $REUSE ]]; then
  log "reading the data sets into the page cache"
  for d in "${META_DIRS[@]}" "$RETRIEVE_DIR"; do find "$d" -name '*.dcm' -exec cat {} + >/dev/null; done
fi

# ---------------------------------------------------------------------------------------------
# Processes. start_* set TARGET_PID (a session leader: setsid), PORT, AET and return when the
# target answers C-ECHO; the move destination (storescp) is SCP_PID. Long commands run in the
# background and are waited for, so that a signal is handled at once (BG_PIDS).
TARGET_PID='' SCP_PID='' BG_PIDS=()

await() { # await SECONDS DESCRIPTION COMMAND...: poll a condition until a deadline
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@" >/dev/null 2>&1; do
    kill -0 "$TARGET_PID" 2>/dev/null || die "$what: target exited (see $RUN/target.log)"
    (( SECONDS < deadline )) || die "$what: not within the deadline (see $RUN/target.log)"
    sleep 0.5
  done
}

bg() { # bg COMMAND...: run in the background, wait, return its status
  local pid rc=0
  "$@" &
  pid=$!
  BG_PIDS+=("$pid")
  wait "$pid" || rc=$?
  return "$rc"
}

echo_ok() { echoscu -aet "$CALLING_AET" -aec "$AET" -to 5 127.0.0.1 "$PORT"; }

start_annal() {
  PORT=$(free_port) AET=$ANNAL_AET HTTP=$(free_port)
  local cluster
  cluster=$(free_port)
  # The embedded Cassandra defaults to ports 9042 and 7000, which a developer's own node may be
  # using: let it pick free ones. The move destination is the storescp started for C-MOVE.
  cat >"$RUN/annal.conf" <<EOF
annal.cassandra.embedded { native-port = 0, storage-port = 0 }
annal.dicom.query-retrieve.move-destinations { $MOVE_AET = "127.0.0.1:$MOVE_PORT" }
EOF
  setsid "$ANNAL_BIN" run --data-dir "$RUN/data" --dicom-port "$PORT" --http-port "$HTTP" \
    --cluster-port "$cluster" --ae-title "$AET" --config "$RUN/annal.conf" \
    </dev/null >"$RUN/target.log" 2>&1 9>&- &
  TARGET_PID=$!
  await "$READY_TIMEOUT" "Annal ready" grep -q "Annal ready" "$RUN/target.log"
  await 30 "Annal C-ECHO" echo_ok
}

start_orthanc() {
  PORT=$(free_port) AET=$ORTHANC_AET HTTP=$(free_port)
  mkdir -p "$RUN/storage" "$RUN/index"
  # As ingest-benchmark.sh: default SQLite index, fsync of each file (the default), no plugins;
  # everything else is Orthanc's default (e.g. StorageAccessOnFind "Always"). The calling AE
  # must be a known modality for C-FIND/C-GET/C-MOVE (DicomAlwaysAllow* are false by default).
  cat >"$RUN/orthanc.json" <<EOF
{
  "Name": "annal-qr-benchmark",
  "StorageDirectory": "$RUN/storage",
  "IndexDirectory": "$RUN/index",
  "StorageCompression": false,
  "SyncStorageArea": true,
  "DicomServerEnabled": true,
  "DicomAet": "$AET",
  "DicomPort": $PORT,
  "DicomThreadsCount": 4,
  "DicomCheckCalledAet": false,
  "DicomModalities": {
    "bench": [ "$CALLING_AET", "127.0.0.1", 104 ],
    "store": [ "$MOVE_AET", "127.0.0.1", $MOVE_PORT ]
  },
  "HttpServerEnabled": true,
  "HttpPort": $HTTP,
  "RemoteAccessAllowed": false,
  "AuthenticationEnabled": false,
  "Plugins": []
}
EOF
  setsid Orthanc "$RUN/orthanc.json" </dev/null >"$RUN/target.log" 2>&1 9>&- &
  TARGET_PID=$!
  await 60 "Orthanc start" curl -fsS "http://127.0.0.1:$HTTP/system"
  await 30 "Orthanc C-ECHO" echo_ok
}

alive() { # alive PID: exists and is not a zombie
  local state
  kill -0 "$1" 2>/dev/null || return 1
  state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [[ $state != Z ]]
}
# PID and its descendants, by parent links: Annal starts its embedded Cassandra in a session of
# its own, so the process group alone would miss it.
tree() {
  ps -eo pid=,ppid= | awk -v root="$1" '{ parent[$1] = $2 }
    END { for (p in parent) { q = p; while (q != root && q in parent && q > 1) q = parent[q]
          if (q == root) print p } }'
}
# CPU time (user + system, clock ticks) used so far by PID and its descendants.
tree_cpu_ticks() {
  local p total=0 t
  for p in $(tree "$1"); do
    t=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13}') || t=0
    total=$((total + ${t:-0}))
  done
  echo "$total"
}
# Signals only processes whose command line still names this run's work dir (pids get reused).
ours() { [[ -r /proc/$1/cmdline ]] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -qF -- "$WORK/"; }

stop_pid() { # stop_pid PID: SIGTERM to its session's group, wait (120 s), SIGKILL what is left
  local leader=$1 procs p deadline
  [[ -n $leader ]] && alive "$leader" || return 0
  procs=$(tree "$leader")
  kill -TERM -- "-$leader" 2>/dev/null || kill -TERM "$leader" 2>/dev/null || true
  # Annal stops its Cassandra (which may have a lot to flush) before it exits.
  deadline=$((SECONDS + 120))
  for p in $procs; do
    while alive "$p" && (( SECONDS < deadline )); do sleep 0.2; done
    if alive "$p" && ours "$p"; then
      log "process $p did not stop within 120 s: SIGKILL"
      kill -KILL "$p" 2>/dev/null || true
    fi
  done
  wait "$leader" 2>/dev/null || true
}

# On the way out of a target's subshell: stop everything, drop the storage (logs stay) unless --keep.
measure_exit() {
  cleanup
  (( KEEP )) || rm -rf "$RUN/data" "$RUN/storage" "$RUN/index" "$RUN/got" "$RUN/moved"
}

cleanup() {
  local p
  for p in "${BG_PIDS[@]}"; do
    if alive "$p" && ours "$p"; then kill -TERM "$p" 2>/dev/null || true; fi
  done
  stop_pid "$SCP_PID"
  SCP_PID=
  stop_pid "$TARGET_PID"
  TARGET_PID=
}

load1() { cut -d' ' -f1 /proc/loadavg; }

# ---------------------------------------------------------------------------------------------
# Rows: each measurement appends one line to one of these files ('|'-separated).
LOAD_ROWS=$WORK/run/load-$STAMP.txt   # target|what|instances|bytes|seconds|check|load
FIND_ROWS=$WORK/run/find-$STAMP.txt   # target|query|n|p50|p99|max|mean matches|check|load
GET_ROWS=$WORK/run/retrieve-$STAMP.txt # target|kind|rep|files|bytes|seconds|check|load
WARM_ROWS=$WORK/run/warmup-$STAMP.txt  # target|what|untimed|rounds|why they ended
: >"$LOAD_ROWS"
: >"$FIND_ROWS"
: >"$GET_ROWS"
: >"$WARM_ROWS"

# store PREFIX N DIR...: storescu over N parallel associations, each a contiguous share of the
# directories (+sd +r); returns the number of storescu processes that failed.
store() {
  local prefix=$1 assocs=$2 i n pids=() failed=0
  shift 2
  local dirs=("$@")
  n=${#dirs[@]}
  (( assocs <= n )) || assocs=$n
  for ((i = 0; i < assocs; i++)); do
    local from=$((i * n / assocs)) to=$(((i + 1) * n / assocs))
    timeout "$STORE_TIMEOUT" storescu -R +sd +r -aet "$CALLING_AET" -aec "$AET" --log-level warn \
      127.0.0.1 "$PORT" "${dirs[@]:from:to-from}" >"$RUN/$prefix-$i.log" 2>&1 &
    pids+=($!)
    BG_PIDS+=($!)
  done
  for i in "${pids[@]}"; do wait "$i" || failed=$((failed + 1)); done
  return "$failed"
}

# retrieve KIND REP: one C-GET (getscu into a fresh directory) or C-MOVE (movescu; the files
# arrive at storescp), wall time of getscu/movescu, then the files received are counted, summed
# and deleted. Appends a row unless REP is "warm-up".
retrieve() {
  local kind=$1 rep=$2 dir rc=0 t0 t1 files bytes load check
  load=$(load1)
  if [[ $kind == get || $kind == get-nagle ]]; then
    dir=$RUN/got
    rm -rf "$dir" && mkdir -p "$dir"
    # get-nagle: getscu as DCMTK ships it (TCP_NODELAY unset: Nagle on), as a viewer or a
    # modality built on DCMTK usually runs; the other rows export TCP_NODELAY=1 (see above).
    local getscu=(getscu)
    [[ $kind == get-nagle ]] && getscu=(env -u TCP_NODELAY getscu)
    t0=$(date +%s.%N)
    bg timeout "$RETRIEVE_TIMEOUT" "${getscu[@]}" -S +B -aet "$CALLING_AET" -aec "$AET" -od "$dir" \
      --log-level warn -k QueryRetrieveLevel=STUDY -k "StudyInstanceUID=$RETRIEVE_UID" \
      127.0.0.1 "$PORT" >"$RUN/$kind-$rep.log" 2>&1 || rc=$?
    t1=$(date +%s.%N)
  else
    dir=$RUN/moved
    t0=$(date +%s.%N)
    bg timeout "$RETRIEVE_TIMEOUT" movescu -S -aet "$CALLING_AET" -aec "$AET" -aem "$MOVE_AET" \
      --log-level warn -k QueryRetrieveLevel=STUDY -k "StudyInstanceUID=$RETRIEVE_UID" \
      127.0.0.1 "$PORT" >"$RUN/move-$rep.log" 2>&1 || rc=$?
    t1=$(date +%s.%N)
  fi
  files=$(find "$dir" -type f | wc -l)
  bytes=$(find "$dir" -type f -printf '%s\n' | awk '{s += $1} END {printf "%d", s}')
  rm -rf "$dir" && mkdir -p "$dir"
  check=ok
  (( files == RETRIEVE_INSTANCES )) || check="$files/$RETRIEVE_INSTANCES files"
  if (( rc != 0 )); then
    if [[ $check == ok ]]; then check="exit $rc"; else check="$check, exit $rc"; fi
  fi
  if [[ $rep == warm-up ]]; then
    log "  $kind warm-up: $files files, $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}') s, $check"
    return 0
  fi
  awk -v t="$TARGET" -v k="$kind" -v r="$rep" -v f="$files" -v b="$bytes" -v t0="$t0" -v t1="$t1" \
    -v c="$check" -v l="$load" 'BEGIN {
      printf "%s|%s|%s|%d|%d|%.3f|%s|%s\n", t, k, r, f, b, t1 - t0, c, l }' >>"$GET_ROWS"
  log "  $kind $rep: $files files, $bytes bytes in $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f s = %.1f MB/s", b - a, '"$bytes"' / 1e6 / (b - a)}'), $check"
}

# ---------------------------------------------------------------------------------------------
# One target, in a subshell (a failure costs only its own rows): start empty, load, wait for the
# index, C-FIND, C-GET/C-MOVE, stop.
measure() {
  TARGET=$1
  RUN=$WORK/run/$TARGET-$STAMP
  trap measure_exit EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  rm -rf "$RUN"
  mkdir -p "$RUN/moved"
  MOVE_PORT=$(free_port)
  if [[ -n $REUSE ]]; then
    # Annal: its data dir (Cassandra, blobs, index); Orthanc: its storage and SQLite index.
    log "$TARGET: copying the storage kept by run $REUSE"
    local what
    for what in data storage index; do
      [[ -d $WORK/run/$TARGET-$REUSE/$what ]] || continue
      cp -a "$WORK/run/$TARGET-$REUSE/$what" "$RUN/$what" || exit 1
    done
    log "$TARGET: starting (on the copy)"
  else
    log "$TARGET: starting (empty)"
  fi
  "start_$TARGET"
  log "$TARGET: listening on $PORT as $AET"

  # Load: the metadata-only set over ASSOCS associations, then the full-size study over one.
  local t0 t1 failed=0 load out complete=1 loaded
  load=$(load1)
  if [[ -n $REUSE ]]; then
    echo "$TARGET|metadata-only set|$META_INSTANCES|$META_BYTES|-|reused from $REUSE|$load" >>"$LOAD_ROWS"
    echo "$TARGET|full-size study|$RETRIEVE_INSTANCES|$RETRIEVE_BYTES|-|reused from $REUSE|$load" >>"$LOAD_ROWS"
  else
    log "$TARGET: loading $META_INSTANCES metadata-only instances over $ASSOCS associations"
    t0=$(date +%s.%N)
    store load "$ASSOCS" "${STUDY_DIRS[@]}" || failed=$?
    t1=$(date +%s.%N)
    echo "$TARGET|metadata-only set|$META_INSTANCES|$META_BYTES|$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}')|$( ((failed == 0)) && echo ok || echo "$failed storescu failed")|$load" >>"$LOAD_ROWS"
    log "  -> $(tail -n 1 "$LOAD_ROWS")"
    (( failed == 0 )) || complete=0
    failed=0
    load=$(load1)
    t0=$(date +%s.%N)
    store load-full 1 "$RETRIEVE_DIR"/st* || failed=$?
    t1=$(date +%s.%N)
    echo "$TARGET|full-size study|$RETRIEVE_INSTANCES|$RETRIEVE_BYTES|$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}')|$( ((failed == 0)) && echo ok || echo "storescu failed")|$load" >>"$LOAD_ROWS"
    log "  -> $(tail -n 1 "$LOAD_ROWS")"
    (( failed == 0 )) || complete=0
  fi

  # The query index must hold every study with all its instances before anything is timed
  # (Annal's index follows the journal asynchronously; Orthanc's is written with each C-STORE).
  log "$TARGET: waiting until C-FIND answers every study with its instance count"
  load=$(load1)
  loaded=$(date +%s.%N)
  bg "${QRBENCH[@]}" await --port "$PORT" --aet "$CALLING_AET" --aec "$AET" --catalog "$CATALOG" \
    --timeout "$INDEX_TIMEOUT" >"$RUN/await.out" 2>"$RUN/await.log" || true
  out=$(cat "$RUN/await.out")
  tail -n 3 "$RUN/await.log" | sed 's/^/  /' >&2
  if [[ $out == COMPLETE* ]]; then
    echo "$TARGET|index complete after load|$(cut -f3 <<<"$out")|-|$(awk -v a="$loaded" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')|ok|$load" >>"$LOAD_ROWS"
  else
    echo "$TARGET|index complete after load|${out:+$(cut -f3 <<<"$out")}|-|-|INCOMPLETE|$load" >>"$LOAD_ROWS"
    complete=0
    log "$TARGET: the index is incomplete; measuring anyway (rows marked)"
  fi

  # Settle: after a bulk load a target can stay busy on its own for a while (Annal: Cassandra
  # compacting the journal, Lucene merging segments; measured in stop 12: a load average of 8 at
  # the first C-FIND); a node in service is not in that state most of the time. Wait until the
  # target's processes use less than SETTLE_CPU % of one core over 5 s (Annal at rest: ~15 %,
  # its tag polling), at most SETTLE_TIMEOUT s. Every target gets the same rule; the time is
  # reported.
  if (( SETTLE_TIMEOUT > 0 )); then
    log "$TARGET: waiting until it is at rest (< $SETTLE_CPU % of a core over 5 s, at most $SETTLE_TIMEOUT s)"
    local s0 c0 c1 busy=-1 settled=- hz
    hz=$(getconf CLK_TCK)
    s0=$SECONDS
    load=$(load1)
    while (( SECONDS - s0 < SETTLE_TIMEOUT )); do
      c0=$(tree_cpu_ticks "$TARGET_PID")
      sleep 5
      c1=$(tree_cpu_ticks "$TARGET_PID")
      busy=$(( (c1 - c0) * 100 / (5 * hz) ))
      if (( busy < SETTLE_CPU )); then
        settled=$((SECONDS - s0))
        break
      fi
    done
    echo "$TARGET|at rest after load ($busy % of a core)|-|-|$settled|$( [[ $settled != - ]] && echo ok || echo "still busy")|$load" >>"$LOAD_ROWS"
    log "  -> $(tail -n 1 "$LOAD_ROWS")"
  fi

  # C-FIND over one association.
  await_quiet "$MAX_LOAD" "$MAX_WAIT" # lib.sh: --max-load / --max-wait
  log "$TARGET: C-FIND, $QUERIES queries of each type over one association (after warm-up rounds of $FIND_WARMUP)"
  load=$(load1)
  local pids=""
  (( FIND_MAX_WARMUP > FIND_WARMUP )) && pids=$(tree "$TARGET_PID" | paste -sd, -)
  bg "${QRBENCH[@]}" find --port "$PORT" --aet "$CALLING_AET" --aec "$AET" --catalog "$CATALOG" \
    --queries "$QUERIES" --warmup "$FIND_WARMUP" --max-warmup "$FIND_MAX_WARMUP" \
    --target-pids "$pids" --seed "$SEED" --raw "$RUN/find-raw.tsv" \
    >"$RUN/find.out" 2>"$RUN/find.log" || complete=0
  out=$(cat "$RUN/find.out")
  sed 's/^/  /' "$RUN/find.log" >&2
  grep '^WARMUP' <<<"$out" | awk -F'\t' -v t="$TARGET" \
    '{ printf "%s|C-FIND|%d queries of each type|%d|%s\n", t, $2, $3, $4 }' >>"$WARM_ROWS"
  grep '^RESULT' <<<"$out" | awk -F'\t' -v t="$TARGET" -v q="$QUERIES" -v l="$load" -v c="$complete" '{
      want = ($2 == "C-ECHO") ? 3 * q : q
      check = ($8 == 0 && $9 == 0 && $3 == want) ? "ok" : sprintf("%d wrong, %d failed", $8, $9)
      if (check == "ok" && c == 0) check = "ok (index incomplete)"
      printf "%s|%s|%s|%s|%s|%s|%s|%s|%s\n", t, $2, $3, $4, $5, $6, $7, check, l }' >>"$FIND_ROWS"
  grep -q "^$TARGET|" "$FIND_ROWS" || { echo "$TARGET|(C-FIND failed)|0|-|-|-|-|FAILED|$load" >>"$FIND_ROWS"; complete=0; }

  # Retrieve: storescp (one process, no --fork, +B: files written as received, no fsync) is the
  # C-MOVE destination; getscu receives on its own association (+B, into a fresh directory).
  setsid storescp +B -dhl -aet "$MOVE_AET" -od "$RUN/moved" --log-level warn "$MOVE_PORT" \
    </dev/null >"$RUN/storescp.log" 2>&1 9>&- &
  SCP_PID=$!
  local deadline=$((SECONDS + 30))
  until echoscu -aet "$CALLING_AET" -aec "$MOVE_AET" -to 5 127.0.0.1 "$MOVE_PORT" >/dev/null 2>&1; do
    if ! alive "$SCP_PID" || (( SECONDS >= deadline )); then
      die "storescp did not start (see $RUN/storescp.log)"
    fi
    sleep 0.2
  done
  await_quiet "$MAX_LOAD" "$MAX_WAIT"
  log "$TARGET: C-GET and C-MOVE of the $RETRIEVE_INSTANCES-instance study, $RETRIEVE_WARMUP warm-up + $RETRIEVES timed each"
  local r n=0 c0 c1 ms steady="at most" fixed=0 costs=()
  (( RETRIEVE_MAX_WARMUP <= RETRIEVE_WARMUP )) && fixed=1 steady=fixed
  for ((r = 1; r <= (fixed ? RETRIEVE_WARMUP : RETRIEVE_MAX_WARMUP); r++)); do
    n=$r
    c0=$(tree_cpu_ticks "$TARGET_PID")
    retrieve get warm-up; retrieve move warm-up
    c1=$(tree_cpu_ticks "$TARGET_PID")
    ms=$(( (c1 - c0) * 1000 / $(getconf CLK_TCK) ))
    log "  warm-up round $r: target CPU $ms ms for a C-GET and a C-MOVE"
    (( fixed )) && continue
    costs+=("$ms")
    # lib.sh, the same rule as the C-FIND warm-up's (QrBench.steady).
    if (( r >= RETRIEVE_WARMUP )) && steady_costs "${costs[@]}"; then
      steady=steady
      break
    fi
  done
  echo "$TARGET|C-GET + C-MOVE|$n rounds|$n|$steady" >>"$WARM_ROWS"
  for ((r = 1; r <= RETRIEVES; r++)); do retrieve get "$r"; retrieve move "$r"; done
  for ((r = 1; r <= RETRIEVES; r++)); do retrieve get-nagle "$r"; done
  awk -F'|' -v t="$TARGET" '$1 == t && $7 != "ok" {bad = 1} END {exit bad}' "$GET_ROWS" || complete=0

  cleanup
  # The time of every timed query, kept after the run: query type, nanoseconds, matches, keys.
  cp "$RUN/find-raw.tsv" "$WORK/run/find-raw-$TARGET-$STAMP.tsv" 2>/dev/null || true
  if (( KEEP )); then
    log "$TARGET: storage and logs kept in $RUN"
  elif (( complete )); then
    rm -rf "$RUN"
  else
    log "$TARGET: something was incomplete: logs kept in $RUN"
  fi
  (( complete )) || exit 3
}

CHILD=
on_signal() {
  trap - INT TERM
  log "interrupted: stopping what was started"
  if [[ -n $CHILD ]]; then kill -TERM "$CHILD" 2>/dev/null || true; wait "$CHILD" 2>/dev/null || true; fi
  exit 130
}
trap on_signal INT TERM

STATUS_ROWS=$WORK/run/status-$STAMP.txt # target|outcome
: >"$STATUS_ROWS"
for target in $TARGETS; do
  measure "$target" &
  CHILD=$!
  rc=0
  wait "$CHILD" || rc=$?
  CHILD=
  case $rc in
    0) echo "$target|complete" >>"$STATUS_ROWS" ;;
    3) echo "$target|INCOMPLETE (see the checks; logs in $WORK/run/$target-$STAMP)" >>"$STATUS_ROWS" ;;
    *) echo "$target|FAILED (exit $rc; logs in $WORK/run/$target-$STAMP)" >>"$STATUS_ROWS"
       log "$target: failed (logs in $WORK/run/$target-$STAMP); continuing" ;;
  esac
done

# ---------------------------------------------------------------------------------------------
# Report
REPORT=$WORK/report-$STAMP.txt
median() { # median of the numbers on stdin, or empty
  sort -g | awk '{v[NR] = $1} END {if (NR) printf "%.2f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
mbps() { # mbps TARGET KIND: median MB/s of the complete repetitions
  awk -F'|' -v t="$1" -v k="$2" '$1 == t && $2 == k && $7 == "ok" && $6 > 0 {print $5 / 1e6 / $6}' "$GET_ROWS" | median
}
p99() { awk -F'|' -v t="$1" -v q="$2" '$1 == t && $2 == q && $8 ~ /^ok/ {print $5}' "$FIND_ROWS"; }
p50() { awk -F'|' -v t="$1" -v q="$2" '$1 == t && $2 == q && $8 ~ /^ok/ {print $4}' "$FIND_ROWS"; }
TOTAL_INSTANCES=$((META_INSTANCES + RETRIEVE_INSTANCES))
{
  echo "# Annal query/retrieve benchmark, $STAMP"
  echo
  echo "Command: ${ANNAL_JAVA_OPTS:+ANNAL_JAVA_OPTS=\"$ANNAL_JAVA_OPTS\" }load-tests/qr-benchmark.sh$ARGS"
  echo "Data: $STUDIES studies x $INSTANCES_PER_STUDY instances ($SERIES series) = $META_INSTANCES" \
    "metadata-only CT instances (8x8 pixels, $META_BYTES bytes), $PATIENTS patients" \
    "(SyntheticCt, $CHUNKS chunk(s), seeds $SEED..$((SEED + CHUNKS - 1))), plus one full-size study of" \
    "$RETRIEVE_INSTANCES CT instances (512x512x16 bit, $RETRIEVE_BYTES bytes, seed $RETRIEVE_SEED):" \
    "$((STUDIES + 1)) studies, $TOTAL_INSTANCES instances in each target."
  echo
  echo "## Machine"
  echo '```'
  echo "cpu: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "memory: $(awk '/MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo)" \
    "(available at the end: $(awk '/MemAvailable/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo))"
  echo "kernel: $(uname -r)"
  df -hT "$WORK" | sed 1d | awk '{print "work dir fs: " $1 " " $2 " size " $3 " avail " $5}'
  lsblk -d -o NAME,ROTA,SIZE,MODEL 2>/dev/null | sed 1d | sed 's/^/disk: /' || true
  echo "dcmtk: $(storescu --version 2>&1 | head -n 1)"
  command -v Orthanc >/dev/null && echo "orthanc: $(Orthanc --version 2>&1 | head -n 1)"
  echo "java: $(java -version 2>&1 | head -n 1)"
  echo "annal: git $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')" \
    "$(git -C "$REPO" status --porcelain 2>/dev/null | grep -q . && echo '(uncommitted changes)')," \
    "jar built $(date -u -r "$APP_JAR" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || echo '?')"
  echo '```'
  echo
  echo "## Targets"
  awk -F'|' '{print "- " $1 ": " $2}' "$STATUS_ROWS"
  echo
  echo "annal: \`annal run\` (embedded Cassandra, default configuration, its own data dir, free" \
    "ports). orthanc: Debian's Orthanc, SQLite index, SyncStorageArea true, DicomThreadsCount 4," \
    "other settings default (StorageAccessOnFind \"Always\", LimitFindResults 0). Each started" \
    "empty, one after the other."
  echo
  echo "## Loading (informative)"
  echo "| target | what | instances | seconds | inst/s | MB/s | load 1m | check |"
  echo "|---|---|---:|---:|---:|---:|---:|---|"
  awk -F'|' '{ ips = ($5 > 0 && $3 ~ /^[0-9]+$/ && $2 != "index complete after load") ? sprintf("%.0f", $3 / $5) : "-"
      mb = ($5 > 0 && $4 ~ /^[0-9]+$/) ? sprintf("%.1f", $4 / 1e6 / $5) : "-"
      printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $5, ips, mb, $7, $6 }' "$LOAD_ROWS"
  echo
  echo "storescu -R +sd +r, the metadata-only set over $ASSOCS associations (contiguous shares of the" \
    "study directories), the full-size study over one; seconds from the first start to the last exit." \
    "\"index complete after load\": seconds from the end of loading until STUDY-level C-FINDs (one per" \
    "month of StudyDate, one association per poll, a poll every 2 s) return every study with its" \
    "NumberOfStudyRelatedInstances: an upper bound, as it includes the checking tool's start (a JVM," \
    "seconds on a loaded machine). Its instances column is the sum of those counts. \"at rest after" \
    "load\": seconds until the target's processes used less than $SETTLE_CPU % of one core over 5 s" \
    "(what they used then in brackets), waited before anything is timed: after a bulk load Annal's" \
    "Cassandra compacts and its index merges for a while."
  echo
  echo "## C-FIND over one association"
  echo "| target | query | n | p50 ms | p99 ms | max ms | matches/query | load 1m | check |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---|"
  awk -F'|' '{printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, ($2 == "C-ECHO" ? "-" : $7), $9, $8}' "$FIND_ROWS"
  echo
  echo "Study Root, STUDY level, 12 return keys (PatientName, PatientID, PatientBirthDate," \
    "PatientSex, StudyDate, StudyTime, AccessionNumber, StudyDescription, StudyInstanceUID," \
    "ModalitiesInStudy, NumberOfStudyRelatedSeries, NumberOfStudyRelatedInstances). One association" \
    "(Annal's FindScu, TCP_NODELAY), untimed queries first (see Warm-up below), then $QUERIES" \
    "of each, round robin, each timed from the C-FIND-RQ to the final C-FIND-RSP (all pending" \
    "responses decoded). Queries (random, seed $SEED, the same for every target): an existing" \
    "PatientID; the first 3 letters of an existing family name + '*^' + the given name's initial +" \
    "'*' (e.g. SMI*^J*); the calendar month of an existing StudyDate + ModalitiesInStudy=CT. check:" \
    "every answer must hold exactly the studies the data set has for that query, each with its" \
    "NumberOfStudyRelatedInstances. C-ECHO: one after each query on the same association, the" \
    "round trip of the association itself. p99: nearest rank."
  echo
  echo "## Retrieve of the full-size study ($RETRIEVE_INSTANCES instances, $RETRIEVE_BYTES bytes)"
  echo "| target | kind | repetition | files | bytes | seconds | MB/s | load 1m | check |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---|"
  awk -F'|' '{printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, ($2 == "get" ? "C-GET" : $2 == "get-nagle" ? "C-GET, Nagle on" : "C-MOVE"), $3, $4, $5, $6, ($6 > 0 ? sprintf("%.1f", $5 / 1e6 / $6) : "-"), $8, $7}' "$GET_ROWS"
  echo
  echo "C-GET: getscu -S +B into a fresh directory (the data sets arrive on the same association)." \
    "C-MOVE: movescu -S to a DCMTK storescp started by the script (one process, no --fork, +B -dhl:" \
    "files written as received, no fsync, one association at a time). seconds: wall time of" \
    "getscu/movescu (process start, association, final response; storescp has written each file" \
    "before it answers). MB = 10^6 bytes of the files received. Untimed rounds first (see Warm-up" \
    "below). C-GET, Nagle on: getscu as DCMTK 3.6.7 ships it, without TCP_NODELAY=1 in its" \
    "environment (the other rows have it): it writes each C-STORE-RSP as 12 header bytes, then" \
    "the rest, which Nagle holds until the first part is acknowledged; a receiver that delays that" \
    "acknowledgement (Linux, up to 40 ms) waits that long per instance. Not part of the target."
  echo
  echo "## Warm-up (untimed, before the timed queries and retrieves)"
  echo "| target | what | untimed | rounds | ended because |"
  echo "|---|---|---|---:|---|"
  awk -F'|' '{printf "| %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5}' "$WARM_ROWS"
  echo
  echo "A JVM compiles what it runs often (C2) for thousands of requests after it starts: measured" \
    "on a node here, 8 s of compiler CPU during the 1,500 queries after 600 untimed ones, and" \
    "5.7, 2.0, 1.3, 0.7 s in the next four times 1,500. A node in service has long passed that." \
    "So the untimed rounds (C-FIND: $FIND_WARMUP queries of each type; retrieve: a C-GET and a" \
    "C-MOVE, at least $RETRIEVE_WARMUP rounds) go on until the best of the last $STEADY_ROUNDS" \
    "rounds cost the target's own processes no less than 95 % of the CPU of their best round" \
    "before them (steady), at most $FIND_MAX_WARMUP queries of each type and" \
    "$RETRIEVE_MAX_WARMUP retrieve rounds (at most). The same rule for every target; a server" \
    "that is steady from the start stops after $((STEADY_ROUNDS + 1)) rounds."
  echo
  echo "## Summary (issue 4)"
  echo "| measure | Annal | Orthanc | Annal / Orthanc | target | met |"
  echo "|---|---:|---:|---:|---|---|"
  for q in "PatientID exact" "PatientName wildcard" "StudyDate month + ModalitiesInStudy"; do
    for pc in p50 p99; do
      a=$("$pc" annal "$q") o=$("$pc" orthanc "$q")
      awk -v q="$q" -v pc="$pc" -v a="$a" -v o="$o" 'BEGIN {
        met = (pc == "p99" && a != "") ? (a <= 10 ? "yes" : "no") : ""
        printf "| C-FIND %s %s ms | %s | %s | %s | %s | %s |\n", q, pc, (a == "" ? "-" : a),
          (o == "" ? "-" : o), (a == "" || o == "" || o == 0 ? "-" : sprintf("%.2f", a / o)),
          (pc == "p99" ? "<= 10 ms" : ""), met }'
    done
  done
  for kind in get move get-nagle; do
    a=$(mbps annal "$kind") o=$(mbps orthanc "$kind")
    awk -v k="$kind" -v a="$a" -v o="$o" 'BEGIN {
      name = k == "get" ? "C-GET" : k == "move" ? "C-MOVE" : "C-GET, Nagle on,"
      target = k == "get-nagle" ? "(not a target)" : ">= Orthanc"
      printf "| %s MB/s (median) | %s | %s | %s | %s | %s |\n", name, (a == "" ? "-" : a),
        (o == "" ? "-" : o), (a == "" || o == "" || o == 0 ? "-" : sprintf("%.2f", a / o)), target,
        (a == "" || o == "" || k == "get-nagle" ? "-" : (a >= o ? "yes" : "no")) }'
  done
  echo
  echo "Medians and percentiles only of rows whose check is ok. The targets are stated for 200,000" \
    "instances; this run had $TOTAL_INSTANCES. The machine may be shared: load 1m is the 1-minute" \
    "load average when each measurement started ($(nproc) cores); targets run one after the other."
} >"$REPORT"
cat "$REPORT"
log "report written to $REPORT"
