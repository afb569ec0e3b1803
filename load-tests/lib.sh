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

# steady_costs COST...: the warm-up rule of the benchmarks (QrBench.steady in qr-benchmark.sh is
# the same in Java): true when the best of the last STEADY_ROUNDS rounds' costs (integers, e.g.
# CPU per round) is no less than 95 % of the best round before them, i.e. those rounds together
# improved by less than 5 %. Round against round took a JIT still gaining 3-4 % a round for
# steady (stop 14).
STEADY_ROUNDS=3
steady_costs() {
  local n=$# recent before i costs=("$@")
  (( n > STEADY_ROUNDS )) || return 1
  before=${costs[0]} recent=${costs[n - 1]}
  for ((i = 1; i < n - STEADY_ROUNDS; i++)); do
    (( costs[i] < before )) && before=${costs[i]}
  done
  for ((i = n - STEADY_ROUNDS; i < n - 1; i++)); do
    (( costs[i] < recent )) && recent=${costs[i]}
  done
  (( recent * 100 >= before * 95 ))
}
