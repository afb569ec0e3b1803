#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# A three-node Annal cluster on this machine, for development: one shared Cassandra
# (`bin/annal cassandra`) and three `bin/annal run` nodes configured by local/node{1,2,3}.conf.
# Runs from any working directory. See cluster-config/README.md.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: local-cluster.sh start|stop|status
       local-cluster.sh --help

A three-node Annal cluster on this machine (development only).

  start    Start one Cassandra (CQL 127.0.0.1:9042), wait for it, then nodes 1, 2 and 3 one after
           the other, each waited for ("Annal ready"). Already running parts are left as they are.
  stop     SIGTERM the nodes this script started (in parallel; graceful leave), wait for them,
           then stop Cassandra. Processes that do not exit in time are killed, with a warning.
           Only processes recorded in this script's pid files, whose command line is still ours,
           are signalled.
  status   For each process: running or not, its ports; for nodes GET /api/health and the
           cluster members from Pekko Management. Exit 0 when all four run, 3 otherwise.

  node  DICOM (AE ANNAL)  HTTP  cluster  management   config
  1     11112             8080  25521    8558         cluster-config/local/node1.conf
  2     11113             8081  25522    8559         cluster-config/local/node2.conf
  3     11114             8082  25523    8560         cluster-config/local/node3.conf

Environment:
  ANNAL_CLUSTER_DIR        work dir: pid files, stdout of each process, data dirs
                           (default: ${TMPDIR:-/tmp}/annal-local-cluster)
  ANNAL_CLUSTER_TIMEOUT    seconds to wait for each process to be ready, and for each to stop
                           before it is killed (default: 180)
  ANNAL_NO_BUILD=1         passed on to bin/annal: do not build, use the jars as they are
  ANNAL_JAVA_OPTS          passed on to bin/annal: extra JVM options (e.g. -Xmx512m), every JVM

Files under the work dir: cassandra/ and node1/..node3/ (the data dirs; logs in DIR/logs),
*.pid and *.out (stdout and stderr of each process).
EOF
}

self="$(readlink -f -- "${BASH_SOURCE[0]}")"
here="$(dirname -- "$self")"
root="$(cd -- "$here/.." && pwd)"
annal="$root/bin/annal"

work="${ANNAL_CLUSTER_DIR:-${TMPDIR:-/tmp}/annal-local-cluster}"
timeout="${ANNAL_CLUSTER_TIMEOUT:-180}"

cassandra_port=9042
nodes=(1 2 3)
# Per node, as in local/nodeN.conf (index 0 unused).
dicom_ports=(- 11112 11113 11114)
http_ports=(- 8080 8081 8082)
cluster_ports=(- 25521 25522 25523)
management_ports=(- 8558 8559 8560)

die() { printf 'local-cluster: %s\n' "$*" >&2; exit 1; }
say() { printf '%s\n' "$*"; }
warn() { printf 'local-cluster: warning: %s\n' "$*" >&2; }

# --- process bookkeeping ------------------------------------------------------------------------

# The data dir of a process name ("cassandra", "node1", ...).
data_dir() { printf '%s/%s\n' "$work" "$1"; }
pid_file() { printf '%s/%s.pid\n' "$work" "$1"; }
out_file() { printf '%s/%s.out\n' "$work" "$1"; }

# True if pid $1 is alive and its command line is one this script started for process $2:
# an Annal JVM (or bin/annal still building) on exactly our data dir.
is_ours() {
  local pid="$1" name="$2" cmdline
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [ -r "/proc/$pid/cmdline" ] || return 1
  cmdline="$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  grep -qxF -- "$(data_dir "$name")" <<<"$cmdline" || return 1
  grep -qxF -- "org.annal.app.Main" <<<"$cmdline" || grep -qxF -- "$annal" <<<"$cmdline"
}

# Prints the pid of process $1 if it runs and is ours. A pid file whose process is gone, or is
# not ours any more (pid reused), is removed.
running_pid() {
  local name="$1" file pid
  file="$(pid_file "$name")"
  [ -f "$file" ] || return 1
  pid="$(tr -dc '0-9' <"$file")"
  if is_ours "$pid" "$name"; then
    printf '%s\n' "$pid"
    return 0
  fi
  rm -f -- "$file"
  return 1
}

# The Cassandra JVM that `annal cassandra` runs as its child (main class OrphanGuard, which runs
# CassandraDaemon), if alive: the pid in its own pid file, if that process runs on our directory.
cassandra_daemon_pid() {
  local dir file pid cmdline
  dir="$(data_dir cassandra)/cassandra"
  file="$dir/cassandra.pid"
  [ -f "$file" ] || return 1
  pid="$(tr -dc '0-9' <"$file")"
  [ -n "$pid" ] && alive "$pid" || return 1
  cmdline="$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  grep -qxF -- "-Dcassandra.storagedir=$dir" <<<"$cmdline" || return 1
  printf '%s\n' "$pid"
}

# True if process $1 exists and is not a zombie (a child that exited and was not reaped yet).
alive() {
  local state
  kill -0 "$1" 2>/dev/null || return 1
  state="$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" || return 1
  [ "$state" != Z ]
}

# True if something accepts TCP connections on 127.0.0.1:$1.
port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Starts `bin/annal ARGS...` for process $1 in its own session (so a Ctrl-C or a closed terminal
# does not reach it), stdout and stderr to its .out file, and records its pid.
launch() {
  local name="$1"
  shift
  rm -f -- "$(pid_file "$name")"
  : >"$(out_file "$name")"
  # The inner shell writes its own pid and then execs bin/annal, which execs java: the pid stays.
  # shellcheck disable=SC2016  # $$ and $@ are the inner shell's
  setsid bash -c 'printf "%s\n" "$$" >"$1"; shift; exec "$@"' _ \
    "$(pid_file "$name")" "$annal" "$@" \
    </dev/null >>"$(out_file "$name")" 2>&1 &
  local i
  for i in $(seq 1 50); do
    [ -s "$(pid_file "$name")" ] && return 0
    sleep 0.1
  done
  die "$name: no pid file after start (see $(out_file "$name"))"
}

# Waits until the .out file of process $1 has a line containing $2; fails with the log tail if
# the process exits first or $timeout seconds pass.
await_line() {
  local name="$1" line="$2" pid deadline
  pid="$(tr -dc '0-9' <"$(pid_file "$name")")"
  deadline=$((SECONDS + timeout))
  while ! grep -qF -- "$line" "$(out_file "$name")"; do
    if ! alive "$pid"; then
      rm -f -- "$(pid_file "$name")"
      fail_start "$name" "exited before it was ready"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      fail_start "$name" "not ready after ${timeout}s (pid $pid still runs)"
    fi
    sleep 1
  done
}

fail_start() {
  local name="$1" why="$2"
  {
    printf 'local-cluster: %s %s. Last lines of %s:\n' "$name" "$why" "$(out_file "$name")"
    tail -n 30 -- "$(out_file "$name")" | sed 's/^/  | /'
    printf 'Log: %s/logs/. What did start still runs: %s stop\n' "$(data_dir "$name")" "$0"
  } >&2
  exit 1
}

# --- commands -----------------------------------------------------------------------------------

start() {
  mkdir -p -- "$work"
  # Build (if needed) once, in the foreground, so that the ready timeouts below count start-up only.
  "$annal" --version >/dev/null

  local pid n
  if pid="$(running_pid cassandra)"; then
    say "cassandra: already running (pid $pid)"
  else
    # A Cassandra JVM left by a killed `annal cassandra` on our directory is stopped by the next
    # one (its pid file); anything else on the port is not ours.
    if ! cassandra_daemon_pid >/dev/null && port_in_use "$cassandra_port"; then
      die "port $cassandra_port is in use by another process"
    fi
    say "cassandra: starting (CQL 127.0.0.1:$cassandra_port, data $(data_dir cassandra)) ..."
    launch cassandra cassandra --data-dir "$(data_dir cassandra)" --port "$cassandra_port"
    await_line cassandra "Cassandra ready at"
    say "cassandra: ready (pid $(running_pid cassandra))"
  fi

  for n in "${nodes[@]}"; do
    local name="node$n" port
    if pid="$(running_pid "$name")"; then
      say "$name: already running (pid $pid)"
      continue
    fi
    for port in "${dicom_ports[n]}" "${http_ports[n]}" "${cluster_ports[n]}" \
        "${management_ports[n]}"; do
      port_in_use "$port" && die "$name: port $port is in use by another process"
    done
    say "$name: starting (DICOM ${dicom_ports[n]}, HTTP ${http_ports[n]}, cluster ${cluster_ports[n]}, management ${management_ports[n]}) ..."
    launch "$name" run --data-dir "$(data_dir "$name")" \
      --config "$here/local/$name.conf" --cassandra "127.0.0.1:$cassandra_port"
    await_line "$name" "Annal ready"
    say "$name: ready (pid $(running_pid "$name"))"
  done
  say "Cluster up. Work dir: $work. Status: $0 status"
}

# SIGTERMs the processes named in "$@" that run and are ours, all at once, then waits for them;
# those still alive after $timeout seconds are killed.
stop_all() {
  local name pid
  local -a names=() pids=()
  for name in "$@"; do
    if pid="$(running_pid "$name")"; then
      say "$name: stopping (pid $pid) ..."
      kill -TERM "$pid" 2>/dev/null || true
      names+=("$name")
      pids+=("$pid")
    else
      say "$name: not running"
    fi
  done
  local deadline=$((SECONDS + timeout)) i alive
  while :; do
    alive=0
    for i in "${!pids[@]}"; do
      [ -n "${pids[i]}" ] || continue
      if alive "${pids[i]}"; then
        alive=1
      else
        say "${names[i]}: stopped"
        rm -f -- "$(pid_file "${names[i]}")"
        pids[i]=""
      fi
    done
    [ "$alive" = 1 ] || break
    if [ "$SECONDS" -ge "$deadline" ]; then
      for i in "${!pids[@]}"; do
        [ -n "${pids[i]}" ] || continue
        warn "${names[i]} (pid ${pids[i]}) did not stop within ${timeout}s: killing it (SIGKILL)"
        if is_ours "${pids[i]}" "${names[i]}"; then
          kill -KILL "${pids[i]}" 2>/dev/null || true
        fi
        rm -f -- "$(pid_file "${names[i]}")"
      done
      break
    fi
    sleep 1
  done
}

stop() {
  if [ ! -d "$work" ]; then
    say "Nothing to stop: no work dir $work"
    return 0
  fi
  local -a names=()
  local n
  for n in "${nodes[@]}"; do names+=("node$n"); done
  stop_all "${names[@]}"
  stop_all cassandra
  # If `annal cassandra` had to be killed, its Cassandra JVM exits by itself (it watches its
  # parent, annal.cassandra.embedded.orphan-halt-after); wait for that too, so that "stopped"
  # means nothing is left.
  local pid deadline=$((SECONDS + timeout))
  if pid="$(cassandra_daemon_pid)"; then
    say "cassandra: waiting for its Cassandra JVM (pid $pid) to exit ..."
  fi
  while pid="$(cassandra_daemon_pid)"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      warn "the Cassandra JVM (pid $pid) did not exit within ${timeout}s: killing it (SIGKILL)"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 1
  done
}

# GET $1 and print it through the jq filter $2 (default: pretty-print), as is without jq.
show_json() {
  local url="$1" filter="${2:-.}" body
  if ! body="$(curl -sS -m 5 "$url" 2>&1)"; then
    printf '    %s: %s\n' "$url" "$body"
    return 0
  fi
  printf '    GET %s\n' "$url"
  if command -v jq >/dev/null && jq -e . >/dev/null 2>&1 <<<"$body"; then
    jq "$filter" <<<"$body" | sed 's/^/      /'
  else
    printf '%s\n' "$body" | sed 's/^/      /'
  fi
}

status() {
  local all=0 pid n
  if pid="$(running_pid cassandra)"; then
    say "cassandra: running (pid $pid), CQL 127.0.0.1:$cassandra_port, data $(data_dir cassandra)"
  else
    say "cassandra: not running"
    all=3
  fi
  for n in "${nodes[@]}"; do
    local name="node$n"
    if pid="$(running_pid "$name")"; then
      say "$name: running (pid $pid), DICOM ${dicom_ports[n]}, HTTP ${http_ports[n]}, cluster ${cluster_ports[n]}, management ${management_ports[n]}"
      show_json "http://127.0.0.1:${http_ports[n]}/api/health"
      show_json "http://127.0.0.1:${management_ports[n]}/cluster/members" \
        '{selfNode, leader, unreachable, members: [.members[] | "\(.node) \(.status) \(.roles | join(","))"]}'
    else
      say "$name: not running"
      all=3
    fi
  done
  return "$all"
}

case "${1:-}" in
  start) [ $# -eq 1 ] || die "start takes no arguments (see --help)"; start ;;
  stop) [ $# -eq 1 ] || die "stop takes no arguments (see --help)"; stop ;;
  status) [ $# -eq 1 ] || die "status takes no arguments (see --help)"; status ;;
  -h|--help|help) usage ;;
  "") usage >&2; exit 2 ;;
  *) printf 'local-cluster: unknown command "%s"\n\n' "$1" >&2; usage >&2; exit 2 ;;
esac
