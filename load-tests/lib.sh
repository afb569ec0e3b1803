# SPDX-License-Identifier: Apache-2.0
#
# Helpers shared by the load-test scripts (sourced, not run).

# free_port: a TCP port on 127.0.0.1 that nothing listens on now (random, 20000-59999).
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

# await_quiet L S: wait (at most S seconds) until the 1-minute load average is below L, before a
# measurement on a shared machine; L = 0: do not wait. Uses the caller's `log`.
await_quiet() {
  local max=$1 wait=$2 deadline
  [[ $max != 0 ]] || return 0
  deadline=$((SECONDS + wait))
  while awk -v l="$(cut -d' ' -f1 /proc/loadavg)" -v m="$max" 'BEGIN {exit !(l >= m)}'; do
    if (( SECONDS >= deadline )); then
      log "load $(cut -d' ' -f1 /proc/loadavg) still >= $max after ${wait}s: measuring anyway"
      return 0
    fi
    sleep 5
  done
}
